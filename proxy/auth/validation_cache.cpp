#include "auth/validation_cache.h"

#include <algorithm>

namespace fathom::auth {
namespace {

constexpr size_t kMaxShards = 16;
// How many entries an eviction compares; more picks a better victim but holds the lock longer.
constexpr int kEvictionSample = 4;

uint64_t next_random(uint64_t& state) {
  // xorshift64: enough to spread evictions over buckets; nothing here needs to be unpredictable.
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

}  // namespace

ValidationCache::ValidationCache(size_t max_entries,
                                 std::chrono::steady_clock::duration positive_ttl,
                                 std::chrono::steady_clock::duration negative_ttl,
                                 std::chrono::steady_clock::duration stale_if_error)
    : max_entries_(max_entries),
      positive_ttl_(positive_ttl),
      negative_ttl_(negative_ttl),
      stale_if_error_(stale_if_error),
      shard_count_(std::clamp<size_t>(max_entries, 1, kMaxShards)),
      shards_(std::make_unique<Shard[]>(shard_count_)) {
  // Split the bound exactly, so that the shards together never exceed max_entries.
  for (size_t i = 0; i < shard_count_; ++i) {
    shards_[i].capacity = max_entries / shard_count_ + (i < max_entries % shard_count_ ? 1 : 0);
    shards_[i].rng = 0x9E3779B97F4A7C15ull * (i + 1);
  }
}

ValidationCache::Shard& ValidationCache::shard_for(std::string_view hash) {
  // The map uses the low bits of this hash for its buckets; take the shard from the high bits
  // (after a multiplicative mix) so that the two choices are independent.
  const uint64_t h = static_cast<uint64_t>(KeyHash{}(hash)) * 0x9E3779B97F4A7C15ull;
  return shards_[(h >> 32) % shard_count_];
}

std::optional<ValidationCache::Hit> ValidationCache::find(std::string_view hash, SteadyTime now) {
  Shard& shard = shard_for(hash);
  std::lock_guard lock(shard.mutex);
  const auto it = shard.map.find(hash);
  if (it == shard.map.end()) return std::nullopt;
  if (it->second.cached_until <= now) {
    if (it->second.token == nullptr || it->second.cached_until + stale_if_error_ <= now) {
      shard.map.erase(it);
    }
    return std::nullopt;
  }
  return Hit{it->second.token, it->second.known};
}

std::shared_ptr<const CachedToken> ValidationCache::find_stale(std::string_view hash,
                                                               SteadyTime now) {
  Shard& shard = shard_for(hash);
  std::lock_guard lock(shard.mutex);
  const auto it = shard.map.find(hash);
  if (it == shard.map.end() || it->second.token == nullptr) return nullptr;
  if (it->second.cached_until + stale_if_error_ <= now) return nullptr;
  return it->second.token;
}

bool ValidationCache::insert(std::string hash, Entry entry, uint64_t generation_at_lookup_start) {
  Shard& shard = shard_for(hash);
  std::lock_guard lock(shard.mutex);
  // Compared under the shard lock: invalidate() bumps under the same lock before erasing.
  if (generation_.load() != generation_at_lookup_start || shard.capacity == 0) return false;
  const auto it = shard.map.find(std::string_view(hash));
  if (it != shard.map.end()) {
    it->second = std::move(entry);
    return true;
  }
  if (shard.map.size() >= shard.capacity) evict_one(shard);
  shard.map.emplace(std::move(hash), std::move(entry));
  return true;
}

void ValidationCache::evict_one(Shard& shard) {
  Map& map = shard.map;
  if (map.empty()) return;
  const size_t buckets = map.bucket_count();
  size_t bucket = next_random(shard.rng) % buckets;
  const Map::value_type* victim = nullptr;
  int seen = 0;
  // Walk buckets from a random one; each non-empty bucket is read through its local iterator.
  // The walk ends after a full circle, so it terminates even if the sample is never reached.
  for (size_t step = 0; step < buckets && seen < kEvictionSample; ++step) {
    for (auto local = map.cbegin(bucket); local != map.cend(bucket) && seen < kEvictionSample;
         ++local, ++seen) {
      if (victim == nullptr || local->second.cached_until < victim->second.cached_until) {
        victim = &*local;
      }
    }
    bucket = bucket + 1 == buckets ? 0 : bucket + 1;
  }
  if (victim == nullptr) return;  // not reached: the map is not empty and the walk is a full circle
  // A local iterator cannot be erased through; one more lookup finds the node again.
  map.erase(map.find(std::string_view(victim->first)));
}

void ValidationCache::invalidate(std::string_view hash) {
  Shard& shard = shard_for(hash);
  std::lock_guard lock(shard.mutex);
  generation_.fetch_add(1);
  const auto it = shard.map.find(hash);
  if (it != shard.map.end()) shard.map.erase(it);
}

void ValidationCache::clear() {
  // Bumped first: an insert into a shard not yet cleared either ran before the bump (and is
  // cleared below) or sees the new generation and is dropped.
  generation_.fetch_add(1);
  for (size_t i = 0; i < shard_count_; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    shards_[i].map.clear();
  }
}

size_t ValidationCache::size() const {
  size_t total = 0;
  for (size_t i = 0; i < shard_count_; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    total += shards_[i].map.size();
  }
  return total;
}

}  // namespace fathom::auth
