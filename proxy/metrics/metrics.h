// The building blocks of the daemon's metrics: counters, gauges and fixed-bucket histograms that
// one thread writes (a worker, on its own event loop) and any thread may read (the scrape).
//
// A single writer needs no read-modify-write: a relaxed load and a relaxed store of the sum are
// enough, and compile to plain moves, with no lock prefix on the data path. Readers see each
// value whole (the atomics guarantee that), possibly a moment old, which a scrape tolerates.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

namespace fathom::metrics {

class Counter {
 public:
  void add(uint64_t n = 1) {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

// Up and down, by its one writer. Kept unsigned: a worker only lowers what it raised, and the
// scrape's sum over workers wraps back into range if one is read mid-way.
class Gauge {
 public:
  void inc() { v_.store(v_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }
  void dec() { v_.store(v_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed); }
  void set(uint64_t v) { v_.store(v, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

// Upper bounds in seconds, ascending; an observation lands in the first bucket whose bound it
// does not exceed (Prometheus' `le`), or in the overflow bucket (+Inf) above them all.
using Bounds = std::span<const double>;

class Histogram {
 public:
  static constexpr size_t kMaxBounds = 16;

  // `bounds` must outlive the histogram (a static array) and hold at most kMaxBounds values.
  explicit Histogram(Bounds bounds);

  void observe(std::chrono::nanoseconds d);

  Bounds bounds() const { return bounds_; }
  // Observations in bucket `i` alone (not cumulative); i == bounds().size() is the overflow.
  uint64_t bucket(size_t i) const { return counts_[i].value(); }
  uint64_t sum_ns() const { return sum_ns_.value(); }

 private:
  Bounds bounds_;
  std::array<uint64_t, kMaxBounds> bounds_ns_{};  // the bounds in whole nanoseconds, compared
  std::array<Counter, kMaxBounds + 1> counts_;
  Counter sum_ns_;
};

}  // namespace fathom::metrics
