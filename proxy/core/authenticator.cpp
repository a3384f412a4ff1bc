#include "core/authenticator.h"

#include <ctime>

#include "auth/token_format.h"

namespace fathom {

std::string_view name(AuthOutcome o) {
  switch (o) {
    case AuthOutcome::valid:
      return "valid";
    case AuthOutcome::bad_format:
      return "bad_format";
    case AuthOutcome::unknown:
      return "unknown";
    case AuthOutcome::revoked:
      return "revoked";
    case AuthOutcome::expired:
      return "expired";
    case AuthOutcome::store_unavailable:
      return "store_unavailable";
    case AuthOutcome::rate_limited:
      return "rate_limited";
  }
  return "unknown";
}

bool holds_scope(const auth::CachedToken& token, std::string_view scope) {
  for (const std::string& s : token.scopes) {
    if (s == scope || s == "admin") return true;
  }
  return false;
}

void Authenticator::record_failure(std::string_view client) {
  limiter_.record_failure(client, std::chrono::steady_clock::now());
}

bool Authenticator::blocked(std::string_view client, std::chrono::seconds* retry_after) {
  return limiter_.blocked(client, std::chrono::steady_clock::now(), retry_after);
}

AuthResult Authenticator::authenticate(std::string_view token, std::string_view client) {
  auto now = std::chrono::steady_clock::now();
  const UnixTime wall = static_cast<UnixTime>(std::time(nullptr));
  AuthResult result;
  if (!auth::valid_token_format(token)) {
    if (limiter_.blocked(client, now, &result.retry_after)) {
      result.outcome = AuthOutcome::rate_limited;
      return result;
    }
    limiter_.record_failure(client, now);
    result.outcome = AuthOutcome::bad_format;
    return result;
  }
  std::string hash = hasher_.hash(token);
  if (auto hit = cache_.find(hash, now)) {
    if (!hit->negative()) {
      const auth::CachedToken& t = *hit->token;
      if (!t.expires_at || *t.expires_at > wall) {
        store_.touch(t.token_id, wall);
        result.outcome = AuthOutcome::valid;
        result.token = std::move(hit->token);
        return result;
      }
      // Replaced rather than invalidated: an invalidation would cancel every lookup in flight,
      // and a client repeating an expired token must not keep other tokens out of the cache.
      cache_.insert(std::move(hash), cache_.negative(now), cache_.generation());
      result.outcome = AuthOutcome::expired;
    } else {
      result.outcome = AuthOutcome::unknown;
    }
    // Known bad: no store lookup, but still a failure (and still limited).
    if (limiter_.blocked(client, now, &result.retry_after)) {
      result.outcome = AuthOutcome::rate_limited;
      return result;
    }
    limiter_.record_failure(client, now);
    return result;
  }
  if (limiter_.blocked(client, now, &result.retry_after)) {
    result.outcome = AuthOutcome::rate_limited;
    return result;
  }
  // Taken before the lookup: if the token is revoked while we look, our answer is not cached.
  uint64_t generation = cache_.generation();
  StoreStatus status = StoreStatus::unavailable;
  std::shared_ptr<const auth::CachedToken> found;
  AuthOutcome outcome = AuthOutcome::unknown;
  store_.find_by_hash(hash, [&](StoreStatus s, const TokenRecord* record) {
    status = s;
    if (s != StoreStatus::ok || record == nullptr) return;
    if (record->revoked()) {
      outcome = AuthOutcome::revoked;
    } else if (record->expired(wall)) {
      outcome = AuthOutcome::expired;
    } else {
      auto t = std::make_shared<auth::CachedToken>();
      t->token_id = record->token_id;
      t->name = record->name;
      t->scopes = record->scopes;
      t->expires_at = record->expires_at;
      found = std::move(t);
      outcome = AuthOutcome::valid;
    }
  });
  if (status == StoreStatus::unavailable) {
    result.outcome = AuthOutcome::store_unavailable;
    return result;
  }
  if (outcome == AuthOutcome::valid) {
    cache_.insert(std::move(hash), cache_.positive(found, now), generation);
    store_.touch(found->token_id, wall);
    result.outcome = AuthOutcome::valid;
    result.token = std::move(found);
    return result;
  }
  cache_.insert(std::move(hash), cache_.negative(now), generation);
  limiter_.record_failure(client, now);
  result.outcome = outcome;
  return result;
}

}  // namespace fathom
