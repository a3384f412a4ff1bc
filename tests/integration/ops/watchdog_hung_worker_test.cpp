// A worker whose event loop is stuck must stop the systemd watchdog pings, so that systemd
// restarts a daemon that has stopped serving; the pings come back once the loop turns again.
// test-hang-policy (tests/plugins/hang_policy.cpp) blocks the worker thread inside a request
// until the test creates a release file, so the hang lasts exactly as long as the test needs.

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "integration/ops/notify_receiver.h"
#include "support/binaries.h"
#include "support/http_client.h"
#include "support/proxy_under_test.h"

namespace fathom::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// systemd's interval for the daemon; it pings every half of it while every worker beats.
constexpr char kWatchdogUsec[] = "300000";
// How long no ping may arrive while the worker is held: several watchdog intervals. The worker is
// blocked for all of it (only the test releases it), so the window's length is not a race.
constexpr milliseconds kQuietWindow{2000};

size_t count_of(const std::string& text, std::string_view needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

// Waits until the daemon's log holds more than `than` lines with `needle`.
bool wait_for_more(const DaemonProcess& daemon, std::string_view needle, size_t than,
                   milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (count_of(daemon.stderr_text(), needle) <= than) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

// Waits for `n` watchdog pings; false if a gap between two notifications exceeds 20 s.
bool wait_for_pings(NotifyReceiver& systemd, int n) {
  for (int pings = 0; pings < n;) {
    std::optional<std::string> m = systemd.next();
    if (!m) return false;
    if (*m == "WATCHDOG=1") ++pings;
  }
  return true;
}

// Creates the release file when it goes out of scope, so that a failing test never leaves the
// worker held while the daemon is being stopped.
class Release {
 public:
  explicit Release(std::string path) : path_(std::move(path)) {}
  ~Release() { now(); }
  Release(const Release&) = delete;
  Release& operator=(const Release&) = delete;
  const std::string& path() const { return path_; }
  void now() { std::ofstream(path_) << "go\n"; }

 private:
  std::string path_;
};

TEST(SystemdWatchdog, AHungWorkerWithholdsThePingUntilItsLoopRunsAgain) {
  TempDir dir;
  NotifyReceiver systemd(dir.file("notify"));
  DaemonOptions options;
  options.env = {{"NOTIFY_SOCKET", systemd.path()}, {"WATCHDOG_USEC", kWatchdogUsec}};
  ProxyUnderTest p(
      [](nlohmann::json& config) {
        config["workers"] = 1;
        nlohmann::json hang = {{"name", "test-hang-policy"},
                               {"path", test_plugin("test-hang-policy")}};
        config["plugins"].insert(config["plugins"].begin(), hang);
      },
      options);
  Release release(dir.file("release"));

  ASSERT_TRUE(wait_for_pings(systemd, 3)) << "no watchdog pings from an idle daemon";

  HttpConnection held = HttpConnection::open(p.port());
  held.send_all(request("GET", "/test/hang-worker?until=" + release.path()));
  ASSERT_TRUE(p.daemon.wait_for_stderr("\"event\":\"test_hang_started\"", seconds(20)))
      << "the request never reached the hang policy";
  // The first withheld ping after the worker blocked: any ping sent before it is already in the
  // socket (the main thread sends, then logs), so draining now leaves only later ones.
  const size_t withheld_before = count_of(p.daemon.stderr_text(), "watchdog_withheld");
  ASSERT_TRUE(wait_for_more(p.daemon, "watchdog_withheld", withheld_before, seconds(20)))
      << "the daemon did not notice the blocked worker";
  while (systemd.next(milliseconds(0))) {
  }

  auto window_end = std::chrono::steady_clock::now() + kQuietWindow;
  for (auto left = kQuietWindow; left.count() > 0;
       left = std::chrono::duration_cast<milliseconds>(window_end -
                                                       std::chrono::steady_clock::now())) {
    std::optional<std::string> m = systemd.next(left);
    if (!m) break;
    EXPECT_NE(*m, "WATCHDOG=1") << "a watchdog ping while the only worker was blocked";
  }
  EXPECT_TRUE(held.quiet_and_open()) << "the held request was answered before its release";

  release.now();
  Response answer = held.read_response("GET", seconds(20));
  EXPECT_EQ(answer.status, 403) << answer.status_line();
  EXPECT_TRUE(wait_for_pings(systemd, 2)) << "the pings did not resume after the worker ran again";
  EXPECT_EQ(fetch(p.port(), "GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace fathom::test
