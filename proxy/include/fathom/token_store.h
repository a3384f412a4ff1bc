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
  // An admin token is an active token that holds tokens:manage (directly or through admin).
  bool is_admin(UnixTime now) const { return active(now) && holds("tokens:manage"); }
};

// A token that stopped being valid: revoked, or its expiry moved.
struct Invalidation {
  std::string secret_hash;
  std::string token_id;
};

enum class StoreStatus : uint8_t {
  ok,
  not_found,    // no token with that id or hash
  conflict,     // the write would leave no active admin token
  unavailable,  // the store cannot be reached or has stopped writing (failed fsync)
};

struct StoreResult {
  StoreStatus status = StoreStatus::ok;
  std::string message;                 // for logs and error bodies; never holds a secret
  std::optional<TokenRecord> token;    // the record after the write
  std::optional<TokenRecord> created;  // rotate: the replacement
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
  // conflict when `token_id` is the last active admin token, atomically with respect to every
  // other write (two admins revoking each other at once: one of them stays).
  virtual void revoke(std::string_view token_id, UnixTime now,
                      std::function<void(StoreResult)> done) = 0;
  // Creates `replacement` (same name and scopes, rotated_from set by the caller) and marks the old
  // token rotated_to it; with `old_expires_at` the old token also expires then. Atomic.
  // not_found if the old token is unknown; conflict if it is not active.
  virtual void rotate(std::string_view token_id, TokenRecord replacement,
                      std::optional<UnixTime> old_expires_at,
                      std::function<void(StoreResult)> done) = 0;
  // Records use; coalesced by the store, durable within a minute. Never blocks.
  virtual void touch(std::string_view token_id, UnixTime when) = 0;

  // Returns once no callback of an earlier write is running or about to run. The daemon calls it
  // before unloading a plugin, whose code those callbacks are.
  virtual void quiesce() = 0;

  // Called (on a store thread) for every token that stops being valid by a write anywhere:
  // revoked, or its expiry moved, before the write's own callback runs. The daemon drops it from
  // its cache and ends its streams, so that the next request after an acknowledged revoke fails.
  virtual void subscribe(std::function<void(const Invalidation&)> on_invalidated) = 0;
};

}  // namespace fathom
