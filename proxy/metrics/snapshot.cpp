#include "metrics/snapshot.h"

namespace fathom::metrics {

void HistogramTotals::add(const Histogram& h) {
  for (size_t i = 0; i <= bounds.size(); ++i) buckets[i] += h.bucket(i);
  sum_ns += h.sum_ns();
}

uint64_t HistogramTotals::count() const {
  uint64_t n = 0;
  for (size_t i = 0; i <= bounds.size(); ++i) n += buckets[i];
  return n;
}

Totals sum(std::span<const WorkerMetrics* const> workers) {
  Totals t;
  for (const WorkerMetrics* w : workers) {
    for (size_t i = 0; i < kStatusClasses; ++i) t.requests[i] += w->requests[i].value();
    for (size_t i = 0; i < kAuthLabels; ++i) t.auth[i] += w->auth[i].value();
    t.cache_hits += w->cache_hits.value();
    t.cache_misses += w->cache_misses.value();
    t.store_errors += w->store_errors.value();
    t.store_lookup.add(w->store_lookup);
    t.upstream_response.add(w->upstream_response);
    t.open_connections += w->open_connections.value();
    t.open_tunnels += w->open_tunnels.value();
    t.local_body_bytes += w->local_body_bytes.value();
    t.overloaded += w->overloaded.value();
  }
  return t;
}

}  // namespace fathom::metrics
