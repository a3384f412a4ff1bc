// The daemon under a fake systemd: $NOTIFY_SOCKET bound by the test, READY/RELOADING/STOPPING
// in their order, and watchdog pings while the workers' loops run.

#include <gtest/gtest.h>
#include <signal.h>

#include <string>

#include "integration/ops/notify_receiver.h"
#include "support/http_client.h"
#include "support/proxy_under_test.h"

namespace fathom::test {
namespace {

bool starts_with(const std::optional<std::string>& m, std::string_view prefix) {
  return m && m->compare(0, prefix.size(), prefix) == 0;
}

TEST(SystemdNotify, ReadyThenReloadingAndReadyOnSighupThenStopping) {
  TempDir dir;
  NotifyReceiver systemd(dir.file("notify"));
  DaemonOptions options;
  options.env = {{"NOTIFY_SOCKET", systemd.path()}};
  ProxyUnderTest p({}, options);

  std::optional<std::string> ready = systemd.next_state();
  EXPECT_EQ(ready, "READY=1\nSTATUS=listening on 127.0.0.1:" + std::to_string(p.port()));

  p.daemon.reload(p.daemon.config());
  std::optional<std::string> reloading = systemd.next_state();
  EXPECT_TRUE(starts_with(reloading, "RELOADING=1\nMONOTONIC_USEC=")) << reloading.value_or("");
  EXPECT_EQ(systemd.next_state(), "READY=1\nSTATUS=serving config generation 2");

  // A refused reload still ends the reload: the old config goes on serving.
  p.daemon.reload_text("{ \"workers\": ");
  EXPECT_TRUE(starts_with(systemd.next_state(), "RELOADING=1\n"));
  EXPECT_EQ(systemd.next_state(),
            "READY=1\nSTATUS=serving; the last reload was refused (see the log)");
  EXPECT_EQ(fetch(p.port(), "GET", "/healthz").status, 200);

  std::optional<ExitStatus> status = p.daemon.terminate();
  EXPECT_EQ(systemd.next_state(), "STOPPING=1\nSTATUS=draining");
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->success()) << status->describe();
}

TEST(SystemdNotify, WatchdogPingsComeWhileEveryWorkerRuns) {
  TempDir dir;
  NotifyReceiver systemd(dir.file("notify"));
  DaemonOptions options;
  options.env = {{"NOTIFY_SOCKET", systemd.path()}, {"WATCHDOG_USEC", "200000"}};
  ProxyUnderTest p([](nlohmann::json& c) { c["workers"] = 3; }, options);

  int pings = 0;
  bool ready = false;
  while (pings < 5) {
    std::optional<std::string> m = systemd.next();
    ASSERT_TRUE(m) << "no notification within 20 s after " << pings << " pings";
    if (*m == "WATCHDOG=1") {
      ++pings;
    } else {
      ready = ready || starts_with(m, "READY=1");
    }
  }
  EXPECT_TRUE(ready);
  // The pings go on across a reload.
  p.daemon.reload(p.daemon.config());
  int after_reload = 0;
  while (after_reload < 2) {
    std::optional<std::string> m = systemd.next();
    ASSERT_TRUE(m) << "the pings stopped after a reload";
    if (*m == "WATCHDOG=1") ++after_reload;
  }
}

TEST(SystemdNotify, AWatchdogMeantForAnotherProcessIsNotPinged) {
  TempDir dir;
  NotifyReceiver systemd(dir.file("notify"));
  DaemonOptions options;
  options.env = {
      {"NOTIFY_SOCKET", systemd.path()}, {"WATCHDOG_USEC", "20000"}, {"WATCHDOG_PID", "1"}};
  ProxyUnderTest p({}, options);
  // Every notification up to the stop, in order: a ping would show up among them.
  EXPECT_TRUE(starts_with(systemd.next(), "READY=1"));
  p.daemon.reload(p.daemon.config());
  EXPECT_TRUE(starts_with(systemd.next(), "RELOADING=1"));
  EXPECT_TRUE(starts_with(systemd.next(), "READY=1"));
  p.daemon.terminate();
  EXPECT_TRUE(starts_with(systemd.next(), "STOPPING=1"));
}

TEST(SystemdNotify, WithoutNotifySocketTheDaemonRunsAsInATerminal) {
  ProxyUnderTest p;  // the test's own environment has no NOTIFY_SOCKET under ctest
  EXPECT_EQ(fetch(p.port(), "GET", "/healthz").status, 200);
  p.daemon.send_signal(SIGHUP);
  EXPECT_TRUE(p.daemon.wait_for_stderr("\"event\":\"reloaded\"", std::chrono::seconds(20)));
  EXPECT_EQ(p.daemon.stderr_text().find("notify_"), std::string::npos);
}

}  // namespace
}  // namespace fathom::test
