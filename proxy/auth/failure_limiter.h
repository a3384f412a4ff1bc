// Slows down guessing: a token bucket per client address, spent by failed authentications.
//
// Each address starts with `burst` tokens; a failure takes one; tokens come back at per_minute/60
// per second up to `burst`. While the bucket is empty, requests from that address are refused
// (429 with Retry-After) before any hashing or store lookup. Successful requests never touch the
// limiter, so a legitimate client is only slowed if it keeps presenting bad credentials.
// per_minute 0 turns the limiter off: nothing is blocked and nothing is remembered.
//
// Memory is bounded: at most max_addresses buckets (default 65536), so a scan from many source
// addresses cannot grow it without limit. Buckets are kept in order of their last failure. When
// a new address arrives and the table is full, buckets that have refilled completely (the address
// stopped failing; forgetting it changes nothing) are dropped from the old end of that order; if
// the oldest has not refilled, it is dropped anyway. Each bucket is dropped at most once, so this
// is O(1) amortised. It is approximate: a full bucket behind a non-full older one waits its turn,
// and the dropped address gets a fresh burst, which an attacker can only force by keeping
// max_addresses other addresses failing.
//
// A blocked address still gets a few store lookups a minute (`lookups_per_minute`, a second
// bucket per address): a valid token that is not in the cache, presented from behind the same
// NAT or load balancer as a guesser, is found and goes through. Throttle failures, not successes.
//
// Callers key addresses with net::limiter_key (an IPv6 client counts as its /64).
//
// Thread-safe with one mutex: only the failure path and cache misses call it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace fathom::auth {

// Also declared in validation_cache.h (the same alias may be declared twice).
using SteadyTime = std::chrono::steady_clock::time_point;

class FailureLimiter {
 public:
  // `burst` is at least 1 (0 is taken as 1): an address always gets one try.
  FailureLimiter(uint32_t per_minute, uint32_t burst, size_t max_addresses = 65536,
                 uint32_t lookups_per_minute = 6);
  FailureLimiter(const FailureLimiter&) = delete;
  FailureLimiter& operator=(const FailureLimiter&) = delete;

  // True when `addr` has no token left. Then *retry_after (if not null) is set to the whole
  // seconds until one token is back, at least 1. Creates no bucket.
  bool blocked(std::string_view addr, SteadyTime now, std::chrono::seconds* retry_after);

  // Takes one token from `addr`'s bucket (created full), if any is left.
  void record_failure(std::string_view addr, SteadyTime now);

  // For a blocked address: takes one store lookup from its lookup bucket; false when none is
  // left (or the address is not tracked).
  bool take_lookup(std::string_view addr, SteadyTime now);

  bool enabled() const { return per_second_ > 0; }
  size_t tracked() const;  // addresses currently remembered

 private:
  struct Bucket {
    std::string addr;
    double tokens = 0;
    SteadyTime updated;  // time of `tokens`, which is also the last failure
    double lookups = 0;
    SteadyTime lookups_updated;  // time of `lookups`
  };
  using Order = std::list<Bucket>;  // least recently failed first
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  double tokens_at(const Bucket& bucket, SteadyTime now) const;
  void make_room(SteadyTime now);

  double per_second_;
  double burst_;
  double lookups_per_second_;
  double lookup_burst_;
  size_t max_addresses_;
  mutable std::mutex mutex_;
  Order order_;
  // Keys view the address stored in the list node, which never moves.
  std::unordered_map<std::string_view, Order::iterator, KeyHash, std::equal_to<>> by_addr_;
};

}  // namespace fathom::auth
