// When the lake is down, drops the connection, or is slow: the client gets a JSON 502 or 504,
// never a hang, and the daemon keeps serving.

#include <gtest/gtest.h>

#include "support/daemon_process.h"
#include "support/http_client.h"
#include "support/ports.h"
#include "support/proxy_under_test.h"

namespace fathom::test {
namespace {

using std::chrono::seconds;

void expect_error(const Response& r, int status, const std::string& error) {
  EXPECT_EQ(r.status, status) << r.status_line() << "\n" << r.body;
  EXPECT_EQ(r.json().value("error", ""), error) << r.body;
  EXPECT_FALSE(r.json().value("message", "").empty()) << r.body;
}

TEST(UpstreamFailure, LakeDownIs502) {
  // Nothing listens on this port.
  DaemonProcess daemon(DaemonProcess::public_config(free_port()));
  expect_error(fetch(daemon.port(), "GET", "/v1/stats", "", "", seconds(15)), 502,
               "upstream_unavailable");
  expect_error(fetch(daemon.port(), "POST", "/v1/items", "", "{}", seconds(15)), 502,
               "upstream_unavailable");
  EXPECT_EQ(fetch(daemon.port(), "GET", "/healthz").status, 200);
}

TEST(UpstreamFailure, LakeStoppedAfterStartIs502ThenRecovers) {
  ProxyUnderTest p;
  EXPECT_EQ(fetch(p.port(), "GET", "/before").status, 200);
  p.lake.stop();
  // A pooled connection to the dead lake must not turn into a hang or a bare close.
  expect_error(fetch(p.port(), "GET", "/after", "", "", seconds(15)), 502, "upstream_unavailable");
}

TEST(UpstreamFailure, LakeDroppingTheConnectionIs502) {
  ProxyUnderTest p;
  expect_error(fetch(p.port(), "GET", "/drop", "", "", seconds(15)), 502, "upstream_unavailable");
  EXPECT_EQ(fetch(p.port(), "GET", "/after-drop").status, 200) << "the daemon stopped serving";
}

TEST(UpstreamFailure, SlowLakeIs504) {
  ProxyUnderTest p([](nlohmann::json& c) { c["timeouts"] = {{"upstream_response", 0.5}}; });
  Response r = fetch(p.port(), "GET", "/slow?delay_ms=3000", "", "", seconds(15));
  expect_error(r, 504, "upstream_timeout");
  EXPECT_EQ(fetch(p.port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(fetch(p.port(), "GET", "/slow?delay_ms=10").status, 200);
}

}  // namespace
}  // namespace fathom::test
