// One worker's metrics. Each worker owns one and is its only writer; the scrape reads every
// worker's and adds them up (see snapshot.h), so nothing on the data path is shared.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "metrics/metrics.h"

namespace fathom::metrics {

// How one authentication of a request ended: the authenticator's outcomes (core/authenticator.h),
// the ways a request's credential is unusable before it gets there (core/credentials.h), and
// `stale`, a valid answer served from the cache while the store could not be asked.
enum class AuthLabel : uint8_t {
  valid,
  stale,
  missing,      // no Authorization header on a route that needs a token
  malformed,    // an Authorization header that is not "Bearer <token>"
  query_token,  // a token in the query string, refused unread
  bad_format,   // not fth_ + 38 base62, or a wrong checksum
  unknown,
  revoked,
  expired,
  rate_limited,
  store_unavailable,
};
inline constexpr size_t kAuthLabels = 11;
std::string_view name(AuthLabel l);

// Status classes 1xx to 5xx; 1xx is the 101 that opens a tunnel.
inline constexpr size_t kStatusClasses = 5;

// Store lookups: the embedded store answers from memory in microseconds, Redis in a round trip.
inline constexpr double kStoreLookupBounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5};
// The lake: from a few milliseconds to timeouts.upstream_response (60 s by default).
inline constexpr double kUpstreamBounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                             0.5,   1,      2.5,   5,    10,    30,   60};

struct WorkerMetrics {
  std::array<Counter, kStatusClasses> requests;
  std::array<Counter, kAuthLabels> auth;
  Counter cache_hits;
  Counter cache_misses;
  Counter store_errors;
  Histogram store_lookup{kStoreLookupBounds};
  Histogram upstream_response{kUpstreamBounds};
  Gauge open_connections;
  Gauge open_tunnels;
  Gauge local_body_bytes;  // bytes of local request bodies held (limits.max_local_body_bytes)
  Counter overloaded;      // 503 overloaded: a bounded resource was full

  // A response went out with `status` (statuses outside 100..599 are not counted).
  void answered(int status) {
    if (status >= 100 && status < 600) requests[static_cast<size_t>(status / 100 - 1)].add();
  }
  void authenticated(AuthLabel l) { auth[static_cast<size_t>(l)].add(); }
  // A store lookup's answer arrived `took` after it was asked; `failed` when the store could not
  // answer (whether or not a stale cache entry then did).
  void store_answered(std::chrono::nanoseconds took, bool failed) {
    store_lookup.observe(took);
    if (failed) store_errors.add();
  }
};

}  // namespace fathom::metrics
