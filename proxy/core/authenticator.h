// Is this bearer token valid, and whose is it? Format and checksum first (no lookup for a string
// that cannot be a token), then the keyed hash, the in-process cache, and only then the store.
// Failed attempts are counted per client address; over the limit, a client gets 429 unless its
// token is already known valid in the cache, so nobody can lock a valid token out.
#pragma once

#include <chrono>
#include <memory>
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
};

std::string_view name(AuthOutcome o);

struct AuthResult {
  AuthOutcome outcome = AuthOutcome::unknown;
  std::shared_ptr<const auth::CachedToken> token;  // with `valid`
  std::chrono::seconds retry_after{0};             // with `rate_limited`
};

class Authenticator {
 public:
  Authenticator(TokenStore& store, const auth::TokenHasher& hasher, auth::ValidationCache& cache,
                auth::FailureLimiter& limiter)
      : store_(store), hasher_(hasher), cache_(cache), limiter_(limiter) {}

  // Answers from memory: the embedded store's index is in memory, so this never waits on I/O.
  AuthResult authenticate(std::string_view token, std::string_view client);

  // A request without a usable credential on a protected route also counts as a failure.
  void record_failure(std::string_view client);
  bool blocked(std::string_view client, std::chrono::seconds* retry_after);

 private:
  TokenStore& store_;
  const auth::TokenHasher& hasher_;
  auth::ValidationCache& cache_;
  auth::FailureLimiter& limiter_;
};

// `admin` holds every scope.
bool holds_scope(const auth::CachedToken& token, std::string_view scope);

}  // namespace fathom
