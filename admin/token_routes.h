// The token routes of API.md and /v1/auth/me (token_routes.cpp: dispatch and reads;
// token_changes.cpp: mint, revoke, rotate), as a plain class: it takes the store, a source of
// new ids and secrets, the audit log, a clock and a log, so unit tests drive it against a real
// store and audit log without the daemon. AdminRoutes (admin_routes.h) sends it the token routes.
//
// Threads: handle() runs on worker threads, several at once; the class keeps no per-request
// state. Store writes call back on a store thread; a change is answered once its audit events are
// durable, from the audit log's writer thread (respond() is thread-safe). The destructor waits for
// writes in flight, so a reload never frees the routes under a pending callback.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "change_audit.h"
#include "fathom/audit.h"
#include "fathom/plugin.h"
#include "fathom/token_store.h"
#include "pending_calls.h"
#include "route_table.h"

namespace fathom::admin {

// New token ids and secrets: the Host's in the daemon, a deterministic one in tests.
class Credentials {
 public:
  virtual ~Credentials() = default;
  virtual NewSecret new_secret() = 0;
  virtual std::string new_token_id() = 0;
  virtual NewSecret new_pair_code() = 0;
  virtual std::string new_pair_code_id() = 0;
  // The keyed hash of a presented pair code.
  virtual std::string hash_secret(std::string_view secret) = 0;
};

class TokenRoutes {
 public:
  using Clock = std::function<UnixTime()>;
  // One line per admin change: event "token_created", "token_revoked" or "token_rotated" and a
  // message with token ids; errors as "token_*_failed". Never a secret.
  using EventLog =
      std::function<void(LogLevel level, std::string_view event, std::string_view message)>;

  // `audit` may be null: changes then go unaudited (see change_audit.h).
  TokenRoutes(TokenStore& store, Credentials& credentials, AuditLog* audit, Clock clock,
              EventLog log);
  ~TokenRoutes();
  TokenRoutes(const TokenRoutes&) = delete;
  TokenRoutes& operator=(const TokenRoutes&) = delete;

  // Answers exactly once through `responder`, now or from a store thread. Never throws.
  void handle(const Request& request, std::string_view body, std::shared_ptr<Responder> responder);

 private:
  using Reply = std::shared_ptr<Responder>;
  using Fetched = std::function<void(StoreStatus, std::optional<TokenRecord>)>;

  void dispatch(const Request& request, std::string_view body, const Reply& reply);
  void list(std::string_view query, UnixTime now, const Reply& reply);
  void mint(const Identity& caller, RequestFacts facts, std::string_view body, UnixTime now,
            const Reply& reply);
  void show(std::string_view token_id, UnixTime now, const Reply& reply);
  void revoke(const Identity& caller, RequestFacts facts, std::string_view token_id, UnixTime now,
              const Reply& reply);
  void rotate(const Identity& caller, RequestFacts facts, std::string_view token_id,
              std::string_view body, UnixTime now, const Reply& reply);
  void me(const Identity& caller, UnixTime now, const Reply& reply);
  void rotate_token(const Identity& caller, RequestFacts facts, const TokenRecord& old,
                    std::optional<int64_t> grace_seconds, UnixTime now, const Reply& reply);
  // Gives `record` a new token id and secret hash; returns the secret, or "" (logged) when the
  // daemon offered none.
  std::string issue(TokenRecord& record);

  void fetch(std::string_view token_id, const Reply& reply, Fetched next);
  // Held by every store and audit callback; the destructor waits until none is left.
  std::shared_ptr<PendingCalls::Hold> track() { return pending_.hold(); }

  TokenStore& store_;
  Credentials& credentials_;
  ChangeAudit audit_;
  Clock clock_;
  EventLog log_;
  PendingCalls pending_;  // last: destroyed first, waiting for callbacks that use the rest
};

}  // namespace fathom::admin
