// Is this bearer token valid, and whose is it? Format and checksum first (no lookup for a string
// that cannot be a token), then the keyed hash, the in-process cache, and only then the store.
// Guesses (malformed, bad checksum, unknown tokens) are counted per client address (IPv6: its
// /64); over the limit, a client gets 429 unless its token is in the cache, and a token that is
// not still gets a few store lookups a minute, so nobody can lock a valid token out.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "auth/failure_limiter.h"
#include "auth/token_hasher.h"
#include "auth/validation_cache.h"
#include "fathom/token_store.h"

namespace fathom {

// One value per way a credential fails, for logs, metrics and the audit.
enum class AuthOutcome : uint8_t {
  valid,
  bad_format,  // not fth_ + 38 base62, or the checksum is wrong
  unknown,     // no such token (or known invalid from the cache)
  revoked,
  expired,
  store_unavailable,  // 503: the store did not answer and the cache had nothing
  rate_limited,       // 429: too many failures from this address
  pending,            // not in the cache: the store is being asked (see Authenticator::lookup)
};

std::string_view name(AuthOutcome o);

// Whether the validation cache answered, for the metrics; `none` when it was not asked (a
// malformed token). A cache bypassed while invalidations may be missed counts as a miss.
enum class CacheUse : uint8_t { none, hit, miss };

struct AuthResult {
  AuthOutcome outcome = AuthOutcome::unknown;
  std::shared_ptr<const auth::CachedToken> token;  // with `valid`
  std::chrono::seconds retry_after{0};             // with `rate_limited`
  CacheUse cache = CacheUse::none;                 // from authenticate()
  bool stale = false;  // `valid` from an expired cache entry: the store could not answer
};

// A store lookup that authenticate() could not answer from memory. Filled by authenticate(),
// consumed by lookup().
struct PendingLookup {
  std::string hash;
  uint64_t generation = 0;  // the cache's, taken before asking the store
  std::string client;  // the limiter's key for the client's address; empty with the limiter off
};

class Authenticator {
 public:
  // `stale_if_error`: how long into a store outage cached answers still hold
  // (cache.stale_if_error).
  Authenticator(TokenStore& store, const auth::TokenHasher& hasher, auth::ValidationCache& cache,
                auth::FailureLimiter& limiter,
                std::chrono::steady_clock::duration stale_if_error = std::chrono::seconds(30))
      : store_(store),
        hasher_(hasher),
        cache_(cache),
        limiter_(limiter),
        stale_if_error_(stale_if_error) {}

  // Answers from memory when it can (bad format, the cache, the limiter). Otherwise answers
  // `pending` and fills `pending`: the caller then calls lookup(), which asks the store.
  AuthResult authenticate(std::string_view token, std::string_view client, PendingLookup& pending);

  // Asks the store and calls `done` exactly once with the final answer (never `pending`): on the
  // store's thread, or before lookup() returns for a store that answers from memory (the
  // embedded one). The answer goes into the cache.
  void lookup(PendingLookup pending, std::function<void(AuthResult)> done);

  // A request without a usable credential on a protected route also counts as a failure.
  void record_failure(std::string_view client);
  bool blocked(std::string_view client, std::chrono::seconds* retry_after);

 private:
  // True once the store has been unreachable (ready() false, or an `unavailable` answer) for
  // longer than stale_if_error: cached answers stop holding then. Reset when it answers again.
  bool outage_too_long(std::chrono::steady_clock::time_point now, bool unavailable_now);

  // The store's answer as an AuthResult; caches it and counts a failure.
  AuthResult answer(PendingLookup& pending, StoreStatus status, const TokenRecord* record);

  TokenStore& store_;
  const auth::TokenHasher& hasher_;
  auth::ValidationCache& cache_;
  auth::FailureLimiter& limiter_;
  const std::chrono::steady_clock::duration stale_if_error_;
  // Start of the current store outage (steady clock, ns since its epoch); 0 while none.
  std::atomic<int64_t> outage_since_{0};
};

// `admin` holds every scope.
bool holds_scope(const auth::CachedToken& token, std::string_view scope);

}  // namespace fathom
