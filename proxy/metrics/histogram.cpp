#include <cmath>
#include <stdexcept>

#include "metrics/metrics.h"

namespace fathom::metrics {

Histogram::Histogram(Bounds bounds) : bounds_(bounds) {
  if (bounds.size() > kMaxBounds) throw std::logic_error("histogram: too many buckets");
  for (size_t i = 0; i < bounds.size(); ++i) {
    bounds_ns_[i] = static_cast<uint64_t>(std::llround(bounds[i] * 1e9));
  }
}

void Histogram::observe(std::chrono::nanoseconds d) {
  const uint64_t ns = d.count() > 0 ? static_cast<uint64_t>(d.count()) : 0;
  size_t i = 0;
  while (i < bounds_.size() && ns > bounds_ns_[i]) ++i;
  counts_[i].add();
  sum_ns_.add(ns);
}

}  // namespace fathom::metrics
