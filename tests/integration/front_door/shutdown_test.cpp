// SIGTERM: stop accepting, finish what is in flight, exit 0.

#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "support/http_client.h"
#include "support/proxy_under_test.h"

namespace fathom::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(Shutdown, SigtermFinishesTheRequestInFlightThenExitsZero) {
  ProxyUnderTest p;
  HttpConnection slow = HttpConnection::open(p.port());
  slow.send_all(request("GET", "/slow?delay_ms=2500"));
  ASSERT_TRUE(p.lake.wait_for_heads(1, seconds(10))) << "the slow request never reached the lake";

  p.daemon.send_signal(SIGTERM);
  // The listener closes at once: new connections are refused while the old one drains.
  bool refused = false;
  auto deadline = std::chrono::steady_clock::now() + milliseconds(1500);
  while (!refused && std::chrono::steady_clock::now() < deadline) {
    refused = !HttpConnection::try_open(p.port(), seconds(1)).has_value();
    if (!refused) std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_TRUE(refused) << "the daemon still accepts connections after SIGTERM";

  Response r = slow.read_response("GET", seconds(20));
  EXPECT_EQ(r.status, 200) << "the request in flight was not finished: " << r.status_line();

  std::optional<ExitStatus> status = p.daemon.wait_for_exit(seconds(20));
  ASSERT_TRUE(status.has_value()) << "the daemon did not exit after draining";
  EXPECT_TRUE(status->exited && status->code == 0) << status->describe();
}

TEST(Shutdown, SigtermWithOnlyIdleConnectionsExitsPromptly) {
  ProxyUnderTest p;
  HttpConnection idle = HttpConnection::open(p.port());
  idle.send_all(request("GET", "/once"));
  ASSERT_EQ(idle.read_response("GET").status, 200);
  HttpConnection silent = HttpConnection::open(p.port());  // never sends a byte

  // Idle keep-alive connections have nothing to finish; the default drain (30 s) must not wait
  // for them.
  std::optional<ExitStatus> status = p.daemon.terminate(seconds(10));
  ASSERT_TRUE(status.has_value()) << "the daemon waited for idle connections";
  EXPECT_TRUE(status->exited && status->code == 0) << status->describe();
  EXPECT_TRUE(idle.wait_closed(seconds(2)).closed);
}

}  // namespace
}  // namespace fathom::test
