// The token store as plugins and the daemon see it. Backends: the embedded file store (default)
// and, later, Redis. The store never sees a secret: only its keyed hash (HMAC-SHA-256 under the
// server key, lowercase hex).
//
// Threads: every method may be called from any thread. Reads (find_by_hash, get, list) complete
// on the calling thread, before they return for the file store. Writes complete once they are
// durable, on a store thread; callers marshal back to their own thread (a plugin's Responder
// already does).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fathom {

using UnixTime = int64_t;  // whole seconds since the epoch, UTC

struct TokenRecord {
  std::string token_id;     // "tok_" + 16 base62
  std::string secret_hash;  // keyed hash of the secret, lowercase hex; never shown to clients
  std::string name;
  std::vector<std::string> scopes;
  UnixTime created_at = 0;
  std::string created_by;  // token id of the creator; empty for the bootstrap token
  std::optional<UnixTime> last_used_at;
  std::optional<UnixTime> expires_at;
  std::optional<UnixTime> revoked_at;
  std::string rotated_from;  // empty when none
  std::string rotated_to;

  bool revoked() const { return revoked_at.has_value(); }
  bool expired(UnixTime now) const { return !revoked() && expires_at && *expires_at <= now; }
  bool active(UnixTime now) const { return !revoked() && !expired(now); }
  // `admin` holds every scope.
  bool holds(std::string_view scope) const {
    for (const std::string& s : scopes) {
      if (s == scope || s == "admin") return true;
    }
    return false;
  }
  // An admin token is an active token that holds `admin` itself: a tokens:manage token manages
  // tokens within its own scopes and is not an admin.
  bool is_admin(UnixTime now) const { return active(now) && holds("admin"); }
  // The last-admin rule counts only admin tokens that will still be there tomorrow: an admin that
  // expires within kLastingSeconds cannot be what keeps the operator in.
  static constexpr UnixTime kLastingSeconds = 24 * 60 * 60;
  bool is_lasting_admin(UnixTime now) const {
    return is_admin(now) && (!expires_at || *expires_at - now > kLastingSeconds);
  }
};

// A token that stopped being valid: revoked, or its expiry moved.
struct Invalidation {
  std::string secret_hash;
  std::string token_id;
};

// A pair code: a short-lived, single-use credential an agent trades for a token of its own
// (POST /v1/pair). The code itself ("pair_" + 24 base62) is secret; the store keeps its keyed
// hash, like a token's.
struct PairCodeRecord {
  std::string pair_code_id;         // "pc_" + 16 base62; not secret
  std::string code_hash;            // keyed hash of the code, lowercase hex; never shown to clients
  std::string name;                 // the minted token's name
  std::vector<std::string> scopes;  // the minted token's scopes
  UnixTime created_at = 0;
  UnixTime expires_at = 0;
  std::string created_by;  // token id of the creator; the minted token's created_by
  std::optional<UnixTime> redeemed_at;
  std::optional<UnixTime> cancelled_at;
  std::string token_id;  // the token it was redeemed for; empty until then

  bool pending(UnixTime now) const { return !redeemed_at && !cancelled_at && now < expires_at; }
};

enum class StoreStatus : uint8_t {
  ok,
  not_found,      // no token (or pair code) with that id or hash
  conflict,       // the write would leave no lasting admin token
  unavailable,    // the store cannot be reached or has stopped writing (failed fsync)
  invalid_grant,  // redeem: the pair code is unknown, used, cancelled or expired
};

struct StoreResult {
  StoreStatus status = StoreStatus::ok;
  std::string message;                      // for logs and error bodies; never holds a secret
  std::optional<TokenRecord> token;         // the record after the write
  std::optional<TokenRecord> created;       // rotate: the replacement
  std::optional<PairCodeRecord> pair_code;  // pair code writes: the code after the write
  // revoke, expire: the pending pair codes the token had made, cancelled by the same write.
  std::vector<PairCodeRecord> cancelled_pair_codes;
};

class TokenStore {
 public:
  virtual ~TokenStore() = default;

  // --- reads ---
  // `record` is valid only during the callback.
  virtual void find_by_hash(
      std::string_view secret_hash,
      const std::function<void(StoreStatus, const TokenRecord* record)>& done) = 0;
  virtual void get(std::string_view token_id,
                   const std::function<void(StoreStatus, const TokenRecord* record)>& done) = 0;
  // Every token, oldest first.
  virtual void list(const std::function<void(StoreStatus, std::vector<TokenRecord>)>& done) = 0;
  // True if the store answers (for /readyz).
  virtual bool ready() = 0;

  // --- writes: `done` runs once the change is durable ---
  virtual void create(TokenRecord record, std::function<void(StoreResult)> done) = 0;
  // Idempotent: revoking a revoked token answers ok with the record as it is. Refuses with
  // conflict when `token_id` is the last lasting admin token (TokenRecord::is_lasting_admin),
  // atomically with respect to every other write (two admins revoking each other at once: one of
  // them stays). Cancels, in the same write, every pair code the token made that is pending at
  // `now` (result.cancelled_pair_codes).
  virtual void revoke(std::string_view token_id, UnixTime now,
                      std::function<void(StoreResult)> done) = 0;
  // Creates `replacement` (same name and scopes, rotated_from set by the caller) and marks the old
  // token rotated_to it; with `old_expires_at` the old token also expires then. Atomic.
  // not_found if the old token is unknown; conflict if it is not active, or if it is the last
  // lasting admin token, is given an expiry, and the replacement is not a lasting admin.
  virtual void rotate(std::string_view token_id, TokenRecord replacement,
                      std::optional<UnixTime> old_expires_at,
                      std::function<void(StoreResult)> done) = 0;
  // Makes an active token expired now (idle expiry): sets expires_at = now. Idempotent for a token
  // that is no longer active (ok, record as it is); conflict for the last lasting admin token,
  // atomically as revoke, and cancels the token's pending pair codes as revoke does. Subscribers
  // hear of it as of a revocation.
  virtual void expire(std::string_view token_id, UnixTime now,
                      std::function<void(StoreResult)> done) = 0;
  // Records use; coalesced by the store, durable within a minute. Never blocks.
  virtual void touch(std::string_view token_id, UnixTime when) = 0;

  // --- pair codes ---
  // Pending codes (not redeemed, not cancelled, not expired at `now`), oldest first.
  virtual void list_pair_codes(
      UnixTime now, const std::function<void(StoreStatus, std::vector<PairCodeRecord>)>& done) = 0;
  virtual void create_pair_code(PairCodeRecord code, std::function<void(StoreResult)> done) = 0;
  // not_found unless the code is pending at `now`; result.pair_code is the cancelled code.
  virtual void cancel_pair_code(std::string_view pair_code_id, UnixTime now,
                                std::function<void(StoreResult)> done) = 0;
  // Trades the pending code whose hash is `code_hash` for `token`, in one atomic step: of many
  // concurrent redeems of one code exactly one gets ok. The caller fills token_id, secret_hash and
  // created_at (= the time judged against expires_at); the store fills name, scopes and
  // created_by from the code. result.token is the new token, result.pair_code the used code.
  // invalid_grant when no pending code has that hash (unknown, used, cancelled or expired), or
  // when the code's creator is no longer active or no longer holds every scope of the code.
  virtual void redeem_pair_code(std::string_view code_hash, TokenRecord token,
                                std::function<void(StoreResult)> done) = 0;

  // Returns once no callback of an earlier write is running or about to run. The daemon calls it
  // before unloading a plugin, whose code those callbacks are.
  virtual void quiesce() = 0;

  // Called (on a store thread) for every token that stops being valid by a write anywhere:
  // revoked, or its expiry moved, before the write's own callback runs. The daemon drops it from
  // its cache and ends its streams, so that the next request after an acknowledged revoke fails.
  virtual void subscribe(std::function<void(const Invalidation&)> on_invalidated) = 0;

  // False while this instance might miss an invalidation made elsewhere (Redis: the revocation
  // channel is down). The daemon then validates every request against the store, uncached.
  virtual bool invalidations_live() { return true; }
};

}  // namespace fathom
