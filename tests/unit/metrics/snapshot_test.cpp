// Tests proxy/metrics/snapshot.cpp: the scrape adds up every worker's metrics.

#include "metrics/snapshot.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace fathom::metrics {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(MetricsSum, AddsEveryWorkersCounters) {
  WorkerMetrics a;
  WorkerMetrics b;
  a.answered(200);
  a.answered(204);
  b.answered(200);
  b.answered(401);
  b.answered(503);
  b.answered(101);
  a.authenticated(AuthLabel::valid);
  b.authenticated(AuthLabel::valid);
  b.authenticated(AuthLabel::missing);
  a.cache_hits.add(3);
  b.cache_hits.add(4);
  a.cache_misses.add(1);
  b.store_answered(microseconds(50), true);
  a.open_connections.inc();
  b.open_connections.inc();
  b.open_connections.inc();
  b.open_connections.dec();
  b.open_tunnels.inc();

  const std::vector<const WorkerMetrics*> workers = {&a, &b};
  const Totals t = sum(workers);
  EXPECT_EQ(t.requests[0], 1u);  // 1xx
  EXPECT_EQ(t.requests[1], 3u);  // 2xx
  EXPECT_EQ(t.requests[2], 0u);
  EXPECT_EQ(t.requests[3], 1u);
  EXPECT_EQ(t.requests[4], 1u);
  EXPECT_EQ(t.auth[static_cast<size_t>(AuthLabel::valid)], 2u);
  EXPECT_EQ(t.auth[static_cast<size_t>(AuthLabel::missing)], 1u);
  EXPECT_EQ(t.auth[static_cast<size_t>(AuthLabel::unknown)], 0u);
  EXPECT_EQ(t.cache_hits, 7u);
  EXPECT_EQ(t.cache_misses, 1u);
  EXPECT_EQ(t.store_errors, 1u);
  EXPECT_EQ(t.store_lookup.count(), 1u);
  EXPECT_EQ(t.open_connections, 2u);
  EXPECT_EQ(t.open_tunnels, 1u);
}

TEST(MetricsSum, AddsHistogramsBucketByBucket) {
  WorkerMetrics a;
  WorkerMetrics b;
  a.upstream_response.observe(milliseconds(3));           // le 0.005
  b.upstream_response.observe(milliseconds(3));           // le 0.005
  b.upstream_response.observe(milliseconds(700));         // le 1
  b.upstream_response.observe(std::chrono::seconds(61));  // +Inf
  const std::vector<const WorkerMetrics*> workers = {&a, &b};
  const Totals t = sum(workers);
  const HistogramTotals& h = t.upstream_response;
  ASSERT_EQ(h.bounds.size(), std::size(kUpstreamBounds));
  for (size_t i = 0; i <= h.bounds.size(); ++i) {
    const uint64_t want = i == 2 ? 2 : i == 9 ? 1 : i == h.bounds.size() ? 1 : 0;
    EXPECT_EQ(h.buckets[i], want) << "bucket " << i;
  }
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(h.sum_ns, 3'000'000u + 3'000'000u + 700'000'000u + 61'000'000'000u);
}

TEST(MetricsSum, StatusesOutsideTheRangeAreNotCounted) {
  WorkerMetrics a;
  a.answered(99);
  a.answered(600);
  a.answered(0);
  const std::vector<const WorkerMetrics*> workers = {&a};
  const Totals t = sum(workers);
  for (uint64_t n : t.requests) EXPECT_EQ(n, 0u);
}

TEST(MetricsSum, NoWorkersIsAllZero) {
  const Totals t = sum({});
  EXPECT_EQ(t.cache_hits, 0u);
  EXPECT_EQ(t.store_lookup.count(), 0u);
}

}  // namespace
}  // namespace fathom::metrics
