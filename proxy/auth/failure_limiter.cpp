#include "auth/failure_limiter.h"

#include <algorithm>
#include <cmath>

namespace fathom::auth {

FailureLimiter::FailureLimiter(uint32_t per_minute, uint32_t burst, size_t max_addresses,
                               uint32_t lookups_per_minute)
    : per_second_(per_minute / 60.0),
      burst_(std::max<uint32_t>(burst, 1)),
      // A small burst, so that a client retrying once or twice at once is served.
      lookups_per_second_(lookups_per_minute / 60.0),
      lookup_burst_(std::min<uint32_t>(lookups_per_minute, 3)),
      max_addresses_(std::max<size_t>(max_addresses, 1)) {}

double FailureLimiter::tokens_at(const Bucket& bucket, SteadyTime now) const {
  // A caller may pass a `now` read just before another thread's; never refill backwards.
  const double elapsed = std::max(0.0, std::chrono::duration<double>(now - bucket.updated).count());
  return std::min(burst_, bucket.tokens + elapsed * per_second_);
}

bool FailureLimiter::blocked(std::string_view addr, SteadyTime now,
                             std::chrono::seconds* retry_after) {
  if (!enabled()) return false;
  std::lock_guard lock(mutex_);
  const auto it = by_addr_.find(addr);
  if (it == by_addr_.end()) return false;
  const double tokens = tokens_at(*it->second, now);
  if (tokens >= 1.0) return false;
  if (retry_after != nullptr) {
    const double wait = std::ceil((1.0 - tokens) / per_second_);
    *retry_after = std::chrono::seconds(std::max<int64_t>(1, static_cast<int64_t>(wait)));
  }
  return true;
}

void FailureLimiter::record_failure(std::string_view addr, SteadyTime now) {
  if (!enabled()) return;
  std::lock_guard lock(mutex_);
  const auto it = by_addr_.find(addr);
  if (it != by_addr_.end()) {
    Bucket& bucket = *it->second;
    bucket.tokens = std::max(0.0, tokens_at(bucket, now) - 1.0);
    bucket.updated = now;
    order_.splice(order_.end(), order_, it->second);  // now the most recent failure
    return;
  }
  if (by_addr_.size() >= max_addresses_) make_room(now);
  order_.push_back(Bucket{std::string(addr), burst_ - 1.0, now, lookup_burst_, now});
  const auto node = std::prev(order_.end());
  by_addr_.emplace(std::string_view(node->addr), node);
}

bool FailureLimiter::take_lookup(std::string_view addr, SteadyTime now) {
  if (!enabled()) return true;
  std::lock_guard lock(mutex_);
  const auto it = by_addr_.find(addr);
  if (it == by_addr_.end()) return true;
  Bucket& bucket = *it->second;
  const double elapsed =
      std::max(0.0, std::chrono::duration<double>(now - bucket.lookups_updated).count());
  const double lookups = std::min(lookup_burst_, bucket.lookups + elapsed * lookups_per_second_);
  if (lookups < 1.0) return false;
  bucket.lookups = lookups - 1.0;
  bucket.lookups_updated = now;
  return true;
}

void FailureLimiter::make_room(SteadyTime now) {
  // The front failed longest ago, so it is the likeliest to have refilled. Drop full buckets from
  // the front: forgetting them changes nothing, a new bucket starts full. Each is dropped once,
  // so this costs O(1) per bucket ever created.
  while (!order_.empty() && tokens_at(order_.front(), now) >= burst_) {
    by_addr_.erase(std::string_view(order_.front().addr));
    order_.pop_front();
  }
  if (by_addr_.size() >= max_addresses_) {
    // Still full of addresses that keep failing: forget the one that failed least recently.
    by_addr_.erase(std::string_view(order_.front().addr));
    order_.pop_front();
  }
}

size_t FailureLimiter::tracked() const {
  std::lock_guard lock(mutex_);
  return by_addr_.size();
}

}  // namespace fathom::auth
