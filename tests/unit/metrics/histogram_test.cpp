// Tests proxy/metrics/metrics.h and histogram.cpp: counters, gauges, and which bucket an
// observation lands in (Prometheus' `le`: a value equal to a bound belongs to that bound).

#include <gtest/gtest.h>

#include <chrono>

#include "metrics/metrics.h"

namespace fathom::metrics {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr double kBounds[] = {0.001, 0.01, 0.1, 1};

TEST(MetricsCounter, AddsAndReads) {
  Counter c;
  EXPECT_EQ(c.value(), 0u);
  c.add();
  c.add(41);
  EXPECT_EQ(c.value(), 42u);
}

TEST(MetricsGauge, GoesUpAndDown) {
  Gauge g;
  g.inc();
  g.inc();
  g.dec();
  EXPECT_EQ(g.value(), 1u);
  g.dec();
  EXPECT_EQ(g.value(), 0u);
}

TEST(MetricsHistogram, AValueOnABoundBelongsToThatBound) {
  Histogram h(kBounds);
  h.observe(milliseconds(1));  // exactly 0.001
  h.observe(milliseconds(10));
  h.observe(seconds(1));
  EXPECT_EQ(h.bucket(0), 1u);
  EXPECT_EQ(h.bucket(1), 1u);
  EXPECT_EQ(h.bucket(2), 0u);
  EXPECT_EQ(h.bucket(3), 1u);
  EXPECT_EQ(h.bucket(4), 0u);
}

TEST(MetricsHistogram, JustAboveABoundGoesToTheNext) {
  Histogram h(kBounds);
  h.observe(milliseconds(1) + nanoseconds(1));
  h.observe(milliseconds(100) + nanoseconds(1));
  EXPECT_EQ(h.bucket(0), 0u);
  EXPECT_EQ(h.bucket(1), 1u);
  EXPECT_EQ(h.bucket(2), 0u);
  EXPECT_EQ(h.bucket(3), 1u);
}

TEST(MetricsHistogram, AboveEveryBoundIsOverflow) {
  Histogram h(kBounds);
  h.observe(seconds(1) + nanoseconds(1));
  h.observe(seconds(3600));
  EXPECT_EQ(h.bucket(3), 0u);
  EXPECT_EQ(h.bucket(4), 2u);
}

TEST(MetricsHistogram, ZeroAndNegativeDurationsCountAsZero) {
  Histogram h(kBounds);
  h.observe(nanoseconds(0));
  h.observe(nanoseconds(-5));  // a clock step cannot make the sum shrink
  EXPECT_EQ(h.bucket(0), 2u);
  EXPECT_EQ(h.sum_ns(), 0u);
}

TEST(MetricsHistogram, SumIsInNanoseconds) {
  Histogram h(kBounds);
  h.observe(microseconds(250));
  h.observe(milliseconds(2));
  EXPECT_EQ(h.sum_ns(), 2'250'000u);
  EXPECT_EQ(h.bounds().size(), 4u);
}

TEST(MetricsHistogram, TooManyBoundsAreRefused) {
  static constexpr double kMany[Histogram::kMaxBounds + 1] = {};
  EXPECT_THROW(Histogram h(kMany), std::logic_error);
}

}  // namespace
}  // namespace fathom::metrics
