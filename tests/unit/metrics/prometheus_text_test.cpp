// Tests proxy/metrics/prometheus_text.cpp: the exposition text, byte for byte, and its number and
// label formatting.

#include "metrics/prometheus_text.h"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <vector>

namespace fathom::metrics {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(PrometheusText, NumbersAreShortestDecimalsWithoutExponents) {
  EXPECT_EQ(format_number(0.0001), "0.0001");
  EXPECT_EQ(format_number(0.00025), "0.00025");
  EXPECT_EQ(format_number(2.5), "2.5");
  EXPECT_EQ(format_number(60), "60");
  EXPECT_EQ(format_number(0), "0");
  EXPECT_EQ(format_number(1795000000.5), "1795000000.5");
  EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "+Inf");
}

TEST(PrometheusText, LabelValuesAreEscaped) {
  EXPECT_EQ(escape_label_value("1.2.3"), "1.2.3");
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(PrometheusText, TheWholeExposition) {
  WorkerMetrics w;
  w.answered(200);
  w.answered(200);
  w.answered(302);
  w.answered(401);
  w.answered(101);
  w.authenticated(AuthLabel::valid);
  w.authenticated(AuthLabel::unknown);
  w.authenticated(AuthLabel::unknown);
  w.authenticated(AuthLabel::store_unavailable);
  w.cache_hits.add(5);
  w.cache_misses.add(2);
  w.store_answered(microseconds(80), false);      // le 0.0001
  w.store_answered(microseconds(300), false);     // le 0.0005
  w.store_answered(milliseconds(3), true);        // le 0.005
  w.upstream_response.observe(milliseconds(20));  // le 0.025
  w.upstream_response.observe(milliseconds(90));  // le 0.1
  w.open_connections.inc();
  w.open_connections.inc();
  w.open_tunnels.inc();
  const std::vector<const WorkerMetrics*> workers = {&w};
  const std::string text = prometheus_text(sum(workers), {"1.2.3", 1795000000.25});

  const std::string expected =
      "# HELP fathom_requests_total Requests answered on the main listener, proxied or local, by "
      "status class.\n"
      "# TYPE fathom_requests_total counter\n"
      "fathom_requests_total{class=\"1xx\"} 1\n"
      "fathom_requests_total{class=\"2xx\"} 2\n"
      "fathom_requests_total{class=\"3xx\"} 1\n"
      "fathom_requests_total{class=\"4xx\"} 1\n"
      "fathom_requests_total{class=\"5xx\"} 0\n"
      "# HELP fathom_auth_total Authentications of requests to routes that need a token, by "
      "outcome.\n"
      "# TYPE fathom_auth_total counter\n"
      "fathom_auth_total{outcome=\"valid\"} 1\n"
      "fathom_auth_total{outcome=\"stale\"} 0\n"
      "fathom_auth_total{outcome=\"missing\"} 0\n"
      "fathom_auth_total{outcome=\"malformed\"} 0\n"
      "fathom_auth_total{outcome=\"query_token\"} 0\n"
      "fathom_auth_total{outcome=\"bad_format\"} 0\n"
      "fathom_auth_total{outcome=\"unknown\"} 2\n"
      "fathom_auth_total{outcome=\"revoked\"} 0\n"
      "fathom_auth_total{outcome=\"expired\"} 0\n"
      "fathom_auth_total{outcome=\"rate_limited\"} 0\n"
      "fathom_auth_total{outcome=\"store_unavailable\"} 1\n"
      "# HELP fathom_cache_hits_total Well-formed tokens answered from the validation cache.\n"
      "# TYPE fathom_cache_hits_total counter\n"
      "fathom_cache_hits_total 5\n"
      "# HELP fathom_cache_misses_total Well-formed tokens the validation cache could not "
      "answer.\n"
      "# TYPE fathom_cache_misses_total counter\n"
      "fathom_cache_misses_total 2\n"
      "# HELP fathom_store_lookup_seconds Token store lookups by the authenticator, from asking "
      "to the answer.\n"
      "# TYPE fathom_store_lookup_seconds histogram\n"
      "fathom_store_lookup_seconds_bucket{le=\"0.0001\"} 1\n"
      "fathom_store_lookup_seconds_bucket{le=\"0.00025\"} 1\n"
      "fathom_store_lookup_seconds_bucket{le=\"0.0005\"} 2\n"
      "fathom_store_lookup_seconds_bucket{le=\"0.001\"} 2\n"
      "fathom_store_lookup_seconds_bucket{le=\"0.0025\"} 2\n"
      "fathom_store_lookup_seconds_bucket{le=\"0.005\"} 3\n"
      "fathom_store_lookup_seconds_bucket{le=\"0.01\"} 3\n"
      "fathom_store_lookup_seconds_bucket{le=\"0.025\"} 3\n"
      "fathom_store_lookup_seconds_bucket{le=\"0.05\"} 3\n"
      "fathom_store_lookup_seconds_bucket{le=\"0.1\"} 3\n"
      "fathom_store_lookup_seconds_bucket{le=\"0.25\"} 3\n"
      "fathom_store_lookup_seconds_bucket{le=\"0.5\"} 3\n"
      "fathom_store_lookup_seconds_bucket{le=\"1\"} 3\n"
      "fathom_store_lookup_seconds_bucket{le=\"2.5\"} 3\n"
      "fathom_store_lookup_seconds_bucket{le=\"+Inf\"} 3\n"
      "fathom_store_lookup_seconds_sum 0.00338\n"
      "fathom_store_lookup_seconds_count 3\n"
      "# HELP fathom_store_errors_total Token store lookups the store could not answer "
      "(unreachable or failing).\n"
      "# TYPE fathom_store_errors_total counter\n"
      "fathom_store_errors_total 1\n"
      "# HELP fathom_upstream_response_seconds From sending a request head to the lake to "
      "receiving its response head.\n"
      "# TYPE fathom_upstream_response_seconds histogram\n"
      "fathom_upstream_response_seconds_bucket{le=\"0.001\"} 0\n"
      "fathom_upstream_response_seconds_bucket{le=\"0.0025\"} 0\n"
      "fathom_upstream_response_seconds_bucket{le=\"0.005\"} 0\n"
      "fathom_upstream_response_seconds_bucket{le=\"0.01\"} 0\n"
      "fathom_upstream_response_seconds_bucket{le=\"0.025\"} 1\n"
      "fathom_upstream_response_seconds_bucket{le=\"0.05\"} 1\n"
      "fathom_upstream_response_seconds_bucket{le=\"0.1\"} 2\n"
      "fathom_upstream_response_seconds_bucket{le=\"0.25\"} 2\n"
      "fathom_upstream_response_seconds_bucket{le=\"0.5\"} 2\n"
      "fathom_upstream_response_seconds_bucket{le=\"1\"} 2\n"
      "fathom_upstream_response_seconds_bucket{le=\"2.5\"} 2\n"
      "fathom_upstream_response_seconds_bucket{le=\"5\"} 2\n"
      "fathom_upstream_response_seconds_bucket{le=\"10\"} 2\n"
      "fathom_upstream_response_seconds_bucket{le=\"30\"} 2\n"
      "fathom_upstream_response_seconds_bucket{le=\"60\"} 2\n"
      "fathom_upstream_response_seconds_bucket{le=\"+Inf\"} 2\n"
      "fathom_upstream_response_seconds_sum 0.11\n"
      "fathom_upstream_response_seconds_count 2\n"
      "# HELP fathom_open_connections Client connections open on the main listener.\n"
      "# TYPE fathom_open_connections gauge\n"
      "fathom_open_connections 2\n"
      "# HELP fathom_open_tunnels Upgrade tunnels (WebSockets) open to the lake.\n"
      "# TYPE fathom_open_tunnels gauge\n"
      "fathom_open_tunnels 1\n"
      "# HELP fathom_local_body_bytes Bytes of request bodies held for locally answered routes "
      "(limits.max_local_body_bytes per worker).\n"
      "# TYPE fathom_local_body_bytes gauge\n"
      "fathom_local_body_bytes 0\n"
      "# HELP fathom_overloaded_total Requests refused with 503 overloaded because a bounded "
      "resource was full.\n"
      "# TYPE fathom_overloaded_total counter\n"
      "fathom_overloaded_total 0\n"
      "# HELP fathom_build_info Always 1; the version of the running daemon.\n"
      "# TYPE fathom_build_info gauge\n"
      "fathom_build_info{version=\"1.2.3\"} 1\n"
      "# HELP fathom_start_time_seconds When the daemon started, in Unix time.\n"
      "# TYPE fathom_start_time_seconds gauge\n"
      "fathom_start_time_seconds 1795000000.25\n";
  EXPECT_EQ(text, expected);
}

TEST(PrometheusText, AVersionWithAQuoteStaysOneLabel) {
  const std::string text = prometheus_text(Totals{}, {"1\"2", 0});
  EXPECT_NE(text.find("fathom_build_info{version=\"1\\\"2\"} 1\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace fathom::metrics
