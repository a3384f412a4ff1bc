// A thousand clients that send part of a request head and go quiet must not starve a normal one:
// one worker thread, an event loop, nothing blocking.

#include <gtest/gtest.h>

#include <vector>

#include "support/http_client.h"
#include "support/proc_status.h"
#include "support/proxy_under_test.h"

namespace fathom::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kSlowClients = 1000;

TEST(SlowClients, AThousandQuietPartialHeadsDoNotStarveANormalClient) {
  // Our sockets, and the daemon's (it inherits the limit), plus some room.
  ASSERT_GE(raise_open_file_limit(4 * kSlowClients), uint64_t{2 * kSlowClients + 200})
      << "RLIMIT_NOFILE too low for this test";
  ProxyUnderTest p([](nlohmann::json& c) {
    c["workers"] = 1;
    c["timeouts"] = {{"header_read", 120}};  // the slow clients stay for the whole test
  });

  std::vector<HttpConnection> slow;
  slow.reserve(kSlowClients);
  for (int i = 0; i < kSlowClients; ++i) {
    HttpConnection conn = HttpConnection::open(p.port(), seconds(10));
    conn.send_all("GET /slow-client/" + std::to_string(i) +
                  " HTTP/1.1\r\nHost: localhost\r\nX-Partial: still typ");
    slow.push_back(std::move(conn));
  }

  auto start = std::chrono::steady_clock::now();
  Response r = fetch(p.port(), "GET", "/normal", "", "", seconds(10));
  Response health = fetch(p.port(), "GET", "/healthz", "", "", seconds(10));
  auto elapsed = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);

  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().value("path", ""), "/normal");
  EXPECT_EQ(health.status, 200);
  EXPECT_LT(elapsed, seconds(5)) << "the normal client waited " << elapsed.count() << " ms";

  size_t still_waiting = 0;
  for (HttpConnection& conn : slow) still_waiting += conn.quiet_and_open() ? 1 : 0;
  EXPECT_EQ(still_waiting, static_cast<size_t>(kSlowClients))
      << "slow clients were answered or dropped before their header_read timeout";
  EXPECT_EQ(p.lake.recorded_heads().size(), 1u) << "a partial head was forwarded";
}

}  // namespace
}  // namespace fathom::test
