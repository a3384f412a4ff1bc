#include "core/authenticator.h"

#include <ctime>

#include "auth/token_format.h"
#include "net/ip_address.h"

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
    case AuthOutcome::pending:
      return "pending";
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
  limiter_.record_failure(net::limiter_key(client), std::chrono::steady_clock::now());
}

bool Authenticator::blocked(std::string_view client, std::chrono::seconds* retry_after) {
  return limiter_.enabled() &&
         limiter_.blocked(net::limiter_key(client), std::chrono::steady_clock::now(), retry_after);
}

AuthResult Authenticator::authenticate(std::string_view token, std::string_view client,
                                       PendingLookup& pending) {
  auto now = std::chrono::steady_clock::now();
  const UnixTime wall = static_cast<UnixTime>(std::time(nullptr));
  AuthResult result;
  // Only the failure paths and cache misses need the key; a hit never builds it.
  std::string key;
  auto client_key = [&]() -> const std::string& {
    if (key.empty() && limiter_.enabled()) key = net::limiter_key(client);
    return key;
  };
  if (!auth::valid_token_format(token)) {
    if (limiter_.enabled() && limiter_.blocked(client_key(), now, &result.retry_after)) {
      result.outcome = AuthOutcome::rate_limited;
      return result;
    }
    limiter_.record_failure(client_key(), now);
    result.outcome = AuthOutcome::bad_format;
    return result;
  }
  std::string hash = hasher_.hash(token);
  // While invalidations might be missed (Redis' channel is down), the cache is not trusted: every
  // request asks the store. It still answers, stale, if the store cannot (see answer()).
  const bool cache_live = store_.invalidations_live();
  auto hit = cache_live ? cache_.find(hash, now) : std::nullopt;
  result.cache = hit ? CacheUse::hit : CacheUse::miss;
  if (hit) {
    // A store outage: cached answers hold for cache.stale_if_error from its start, then 503.
    if (outage_too_long(now, !store_.ready())) {
      result.outcome = AuthOutcome::store_unavailable;
      return result;
    }
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
      cache_.insert(std::move(hash), cache_.negative(now, true), cache_.generation());
      result.outcome = AuthOutcome::expired;
      return result;  // a stale credential, not a guess: not counted
    }
    result.outcome = AuthOutcome::unknown;
    if (hit->known) return result;  // revoked or expired in the store: not a guess either
    // Known unknown: no store lookup, but still a guess (and still limited).
    if (limiter_.enabled() && limiter_.blocked(client_key(), now, &result.retry_after)) {
      result.outcome = AuthOutcome::rate_limited;
      return result;
    }
    limiter_.record_failure(client_key(), now);
    return result;
  }
  // A blocked address still gets a few lookups a minute, so that a valid token that is not in
  // the cache goes through beside a guesser on the same address.
  if (limiter_.enabled() && limiter_.blocked(client_key(), now, &result.retry_after) &&
      !limiter_.take_lookup(client_key(), now)) {
    result.outcome = AuthOutcome::rate_limited;
    return result;
  }
  // Taken before the lookup: if the token is revoked while we look, our answer is not cached.
  pending.generation = cache_.generation();
  pending.hash = std::move(hash);
  pending.client = std::move(key);
  result.outcome = AuthOutcome::pending;
  return result;
}

bool Authenticator::outage_too_long(std::chrono::steady_clock::time_point now,
                                    bool unavailable_now) {
  const int64_t t = now.time_since_epoch().count();
  if (!unavailable_now) {
    if (outage_since_.load(std::memory_order_relaxed) != 0) {
      outage_since_.store(0, std::memory_order_relaxed);
    }
    return false;
  }
  int64_t since = 0;
  // The first to notice marks the start; later calls measure from it.
  if (outage_since_.compare_exchange_strong(since, t, std::memory_order_relaxed)) return false;
  return std::chrono::steady_clock::duration(t - since) >= stale_if_error_;
}

void Authenticator::lookup(PendingLookup pending, std::function<void(AuthResult)> done) {
  // Shared with the store's callback, which may run on another thread after this returns.
  auto p = std::make_shared<PendingLookup>(std::move(pending));
  store_.find_by_hash(
      p->hash, [this, p, done = std::move(done)](StoreStatus status, const TokenRecord* record) {
        done(answer(*p, status, record));
      });
}

AuthResult Authenticator::answer(PendingLookup& p, StoreStatus status, const TokenRecord* record) {
  const auto now = std::chrono::steady_clock::now();
  const UnixTime wall = static_cast<UnixTime>(std::time(nullptr));
  AuthResult result;
  if (status == StoreStatus::unavailable) {
    // stale-if-error: a token known valid a moment ago keeps working for cache.stale_if_error;
    // a token never seen, or known bad, gets 503 (fail closed). Revoked tokens are never in the
    // cache: the invalidation removed them.
    auto stale = outage_too_long(now, true) ? nullptr : cache_.find_stale(p.hash, now);
    if (stale && (!stale->expires_at || *stale->expires_at > wall)) {
      result.outcome = AuthOutcome::valid;
      result.token = std::move(stale);
      result.stale = true;
      return result;
    }
    result.outcome = AuthOutcome::store_unavailable;
    return result;
  }
  outage_since_.store(0, std::memory_order_relaxed);  // the store answered
  const bool cache_live = store_.invalidations_live();
  if (status == StoreStatus::ok && record != nullptr) {
    if (record->revoked()) {
      result.outcome = AuthOutcome::revoked;
    } else if (record->expired(wall)) {
      result.outcome = AuthOutcome::expired;
    } else {
      auto t = std::make_shared<auth::CachedToken>();
      t->token_id = record->token_id;
      t->name = record->name;
      t->scopes = record->scopes;
      t->expires_at = record->expires_at;
      if (cache_live) cache_.insert(std::move(p.hash), cache_.positive(t, now), p.generation);
      store_.touch(t->token_id, wall);
      result.outcome = AuthOutcome::valid;
      result.token = std::move(t);
      return result;
    }
    // The store knows it: a stale credential (an agent not yet given its replacement), not a
    // guess, so it does not count against the address.
    if (cache_live) cache_.insert(std::move(p.hash), cache_.negative(now, true), p.generation);
    return result;
  }
  result.outcome = AuthOutcome::unknown;
  if (cache_live) cache_.insert(std::move(p.hash), cache_.negative(now), p.generation);
  if (!p.client.empty()) limiter_.record_failure(p.client, now);
  return result;
}

}  // namespace fathom
