// Tests proxy/metrics/metrics_server.cpp over real sockets: its loop runs on a thread of the
// test, and requests come through the test support's HTTP client.

#include "metrics/metrics_server.h"

#include <event2/thread.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>

#include "metrics/prometheus_text.h"
#include "support/http_client.h"

namespace fathom::metrics {
namespace {

using test::fetch;
using test::HttpConnection;

constexpr std::string_view kBody = "# TYPE x counter\nx_total 1\n";

class MetricsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    evthread_use_pthreads();  // the test thread stops the loop
    base_ = event_base_new();
    ASSERT_NE(base_, nullptr);
    server_ = std::make_unique<MetricsServer>(base_, ListenAddress{"127.0.0.1", 0}, [this] {
      ++renders_;
      return std::string(kBody);
    });
    loop_ = std::thread([this] { event_base_loop(base_, EVLOOP_NO_EXIT_ON_EMPTY); });
  }
  void TearDown() override {
    event_base_loopexit(base_, nullptr);
    loop_.join();
    server_.reset();
    event_base_free(base_);
  }

  event_base* base_ = nullptr;
  std::unique_ptr<MetricsServer> server_;
  std::thread loop_;
  std::atomic<int> renders_{0};
};

TEST_F(MetricsServerTest, GetMetricsAnswersThePrometheusText) {
  test::Response r = fetch(server_->port(), "GET", "/metrics");
  EXPECT_EQ(r.status, 200) << r.status_line();
  EXPECT_EQ(r.header("Content-Type").value_or(""), kPrometheusContentType);
  EXPECT_EQ(r.body, kBody);
  EXPECT_EQ(renders_.load(), 1);
}

TEST_F(MetricsServerTest, AQueryStringStillServesTheMetrics) {
  test::Response r = fetch(server_->port(), "GET", "/metrics?format=prometheus");
  EXPECT_EQ(r.status, 200) << r.status_line();
  EXPECT_EQ(r.body, kBody);
}

TEST_F(MetricsServerTest, HeadAnswersTheHeadersOnly) {
  HttpConnection c = HttpConnection::open(server_->port());
  c.send_all(test::request("HEAD", "/metrics"));
  test::Response r = c.read_response("HEAD");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Length").value_or(""), std::to_string(kBody.size()));
  EXPECT_TRUE(r.body.empty());
}

TEST_F(MetricsServerTest, OtherPathsAre404) {
  for (const char* path : {"/", "/metrics/", "/healthz", "/v1/stats"}) {
    test::Response r = fetch(server_->port(), "GET", path);
    EXPECT_EQ(r.status, 404) << path;
  }
  EXPECT_EQ(renders_.load(), 0);
}

TEST_F(MetricsServerTest, OtherMethodsAre405) {
  test::Response r = fetch(server_->port(), "POST", "/metrics", "", "x=1");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow").value_or(""), "GET, HEAD");
  EXPECT_EQ(fetch(server_->port(), "DELETE", "/metrics").status, 405);
  EXPECT_EQ(renders_.load(), 0);
}

TEST_F(MetricsServerTest, AMalformedRequestIs400AndClosed) {
  HttpConnection c = HttpConnection::open(server_->port());
  c.send_all("GET /metrics HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  test::Response r = c.read_response();
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(c.wait_closed().closed);
}

TEST_F(MetricsServerTest, EveryAnswerClosesTheConnection) {
  HttpConnection c = HttpConnection::open(server_->port());
  c.send_all(test::request("GET", "/metrics"));
  test::Response r = c.read_response();
  EXPECT_EQ(r.header("Connection").value_or(""), "close");
  EXPECT_TRUE(c.wait_closed().closed);
}

// A scraper that half-closes once its request is sent (as `printf … | nc` does) still gets the
// whole answer before the close.
TEST_F(MetricsServerTest, AHalfClosedRequestStillGetsItsAnswer) {
  for (int i = 0; i < 20; ++i) {
    HttpConnection c = HttpConnection::open(server_->port());
    c.send_all(test::request("GET", "/metrics"));
    c.shutdown_write();
    test::Response r = c.read_response();
    ASSERT_EQ(r.status, 200) << "round " << i;
    EXPECT_EQ(r.body, kBody);
  }
}

TEST_F(MetricsServerTest, AHeadSentInPiecesIsAnsweredWhenComplete) {
  HttpConnection c = HttpConnection::open(server_->port());
  c.send_all("GET /metr");
  EXPECT_FALSE(c.read_some(std::chrono::milliseconds(100)).has_value());
  c.send_all("ics HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(c.read_response().status, 200);
}

TEST_F(MetricsServerTest, ATakenAddressIsRefusedNamingTheKey) {
  event_base* other = event_base_new();
  try {
    MetricsServer second(other, ListenAddress{"127.0.0.1", server_->port()},
                         [] { return std::string(); });
    ADD_FAILURE() << "a second listener bound the same address";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("metrics.listen"), std::string::npos) << what;
    EXPECT_NE(what.find("127.0.0.1:" + std::to_string(server_->port())), std::string::npos) << what;
  }
  event_base_free(other);
}

}  // namespace
}  // namespace fathom::metrics
