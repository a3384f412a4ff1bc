// What the workers remember about recently presented secrets, so that a busy client does not
// cost a store lookup per request. Shared by all worker threads.
//
// Keyed by the secret's hash (TokenHasher::hash), never the secret. An entry is either positive
// (the token as the store last described it) or negative (the store said unknown or revoked:
// remembered briefly so that a client retrying a dead token does not hammer the store). Positive
// entries live `positive_ttl` (default 30 s), negative ones `negative_ttl` (default 5 s); that is
// how long a change made by another instance can go unseen. Changes made through this instance
// call invalidate() and take effect at once.
//
// The revocation race. A lookup that read the store before a revocation landed must not put the
// token back after invalidate() removed it. So: a caller reads generation() BEFORE asking the
// store and passes it to insert(); invalidate() and clear() bump the generation, and insert()
// drops its entry if the generation moved. The bump happens under the shard lock before the
// erase, and insert() compares under the same lock, so there is no window between them. Any
// invalidation drops every in-flight insert, not only the one for that hash: revocations are rare
// and a dropped insert only costs one more lookup later.
//
// Sharding: 16 shards (fewer when max_entries < 16), each a mutex and a hash map, picked by the
// key's hash, so workers rarely contend. find() takes one lock and does one hash lookup with the
// caller's string_view (heterogeneous lookup: no key allocation).
//
// Bound: at most max_entries in all (each shard holds its share). Inserting into a full shard
// evicts one entry: from a random bucket onwards the first few entries are looked at and the one
// that expires soonest goes. That is O(1) expected, needs no bookkeeping per hit, and favours
// evicting negative and old entries; the cache is an optimisation, so an approximate choice is
// enough. max_entries 0 disables caching.
//
// The cache does not look at CachedToken::expires_at (wall clock): the caller checks it on every
// hit, so a token that expires while cached is refused on time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace fathom::auth {

// Also declared in failure_limiter.h (the same alias may be declared twice).
using SteadyTime = std::chrono::steady_clock::time_point;

// The parts of a token record that authorization needs. Immutable once cached: requests on other
// threads may hold it after it has been evicted.
struct CachedToken {
  std::string token_id;
  std::string name;
  std::vector<std::string> scopes;
  std::optional<int64_t> expires_at;  // unix seconds, UTC; the caller compares it to the clock
};

class ValidationCache {
 public:
  struct Entry {
    std::shared_ptr<const CachedToken> token;  // null: negative entry
    SteadyTime cached_until;
    // Negative entries: the store knows the token (revoked or expired), so presenting it again
    // is a stale credential, not a guess, and does not count against the client's address.
    bool known = false;
  };
  struct Hit {
    std::shared_ptr<const CachedToken> token;  // null: known to be unknown or revoked
    bool known = false;                        // negative: a token the store knows
    bool negative() const { return token == nullptr; }
  };

  explicit ValidationCache(
      size_t max_entries = 100000,
      std::chrono::steady_clock::duration positive_ttl = std::chrono::seconds(30),
      std::chrono::steady_clock::duration negative_ttl = std::chrono::seconds(5),
      std::chrono::steady_clock::duration stale_if_error = std::chrono::seconds(0));
  ValidationCache(const ValidationCache&) = delete;
  ValidationCache& operator=(const ValidationCache&) = delete;

  // Entries that expire after the configured TTL, counted from `now`.
  Entry positive(std::shared_ptr<const CachedToken> token, SteadyTime now) const {
    return Entry{std::move(token), now + positive_ttl_};
  }
  Entry negative(SteadyTime now, bool known = false) const {
    return Entry{nullptr, now + negative_ttl_, known};
  }

  // A live entry for `hash`, or nullopt. An entry whose cached_until is not after `now` counts
  // as a miss; it is erased once it is also past the stale-if-error window.
  std::optional<Hit> find(std::string_view hash, SteadyTime now);

  // While the store cannot be reached: the token of a positive entry that expired less than
  // `stale_if_error` ago (or is still live), else null. Negative entries never answer here.
  std::shared_ptr<const CachedToken> find_stale(std::string_view hash, SteadyTime now);

  // Read this before asking the store; pass it to insert() afterwards.
  uint64_t generation() const { return generation_.load(); }

  // Stores `entry` (replacing an entry for the same hash) unless an invalidation happened since
  // `generation_at_lookup_start`, in which case the entry is dropped. Returns whether it was kept.
  bool insert(std::string hash, Entry entry, uint64_t generation_at_lookup_start);

  // Forgets `hash` (revoked, rotated, changed) and makes every lookup in flight drop its insert.
  void invalidate(std::string_view hash);

  // Forgets everything, as invalidate() does for each entry.
  void clear();

  size_t size() const;  // entries held, live or not yet noticed to be expired
  size_t max_entries() const { return max_entries_; }

 private:
  // Transparent, so that find() can look up a string_view without building a std::string.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, Entry, KeyHash, std::equal_to<>>;

  // Own cache line each, so that workers locking different shards do not slow each other.
  struct alignas(64) Shard {
    std::mutex mutex;
    Map map;
    size_t capacity = 0;
    uint64_t rng = 0;  // xorshift state for picking eviction victims; guarded by mutex
  };

  Shard& shard_for(std::string_view hash);
  static void evict_one(Shard& shard);

  size_t max_entries_;
  std::chrono::steady_clock::duration positive_ttl_;
  std::chrono::steady_clock::duration negative_ttl_;
  std::chrono::steady_clock::duration stale_if_error_;
  size_t shard_count_;
  std::unique_ptr<Shard[]> shards_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace fathom::auth
