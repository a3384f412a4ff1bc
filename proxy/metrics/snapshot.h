// The scrape's view: every worker's metrics added up, read once so that a histogram's buckets,
// +Inf and _count agree with each other within one scrape.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "metrics/metrics.h"
#include "metrics/worker_metrics.h"

namespace fathom::metrics {

struct HistogramTotals {
  explicit HistogramTotals(Bounds b) : bounds(b) {}
  void add(const Histogram& h);
  // Observations in all buckets, overflow included: the +Inf bucket and _count.
  uint64_t count() const;

  Bounds bounds;
  std::array<uint64_t, Histogram::kMaxBounds + 1> buckets{};  // not cumulative
  uint64_t sum_ns = 0;
};

struct Totals {
  std::array<uint64_t, kStatusClasses> requests{};
  std::array<uint64_t, kAuthLabels> auth{};
  uint64_t cache_hits = 0;
  uint64_t cache_misses = 0;
  uint64_t store_errors = 0;
  HistogramTotals store_lookup{kStoreLookupBounds};
  HistogramTotals upstream_response{kUpstreamBounds};
  uint64_t open_connections = 0;
  uint64_t open_tunnels = 0;
  uint64_t local_body_bytes = 0;
  uint64_t overloaded = 0;
};

Totals sum(std::span<const WorkerMetrics* const> workers);

}  // namespace fathom::metrics
