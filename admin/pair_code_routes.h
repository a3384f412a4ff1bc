// The pair-code routes of API.md: POST and GET /v1/pair-codes, DELETE /v1/pair-codes/{id}
// (tokens:manage) and POST /v1/pair, where an agent trades a code for a token of its own without
// any other credential. Like TokenRoutes, a plain class over the store, so unit tests drive it
// against a real store; plugin.cpp wires it to the Host.
//
// Threads: as TokenRoutes. A pair code is a credential: wrong ones count toward the daemon's
// per-address failure limit, and an address over it is refused before its code is looked at.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "change_audit.h"
#include "failure_limit.h"
#include "fathom/audit.h"
#include "fathom/plugin.h"
#include "fathom/token_store.h"
#include "pending_calls.h"
#include "token_routes.h"

namespace fathom::admin {

class PairCodeRoutes {
 public:
  using Clock = TokenRoutes::Clock;
  // One line per change ("pair_code_created", "pair_code_cancelled", "pair_code_redeemed") and
  // per refused code ("pair_code_refused", naming the client address). Never a code.
  using EventLog = TokenRoutes::EventLog;

  // `audit` may be null: changes then go unaudited (see change_audit.h).
  PairCodeRoutes(TokenStore& store, Credentials& credentials, FailureLimit& limit, AuditLog* audit,
                 Clock clock, EventLog log);
  ~PairCodeRoutes();
  PairCodeRoutes(const PairCodeRoutes&) = delete;
  PairCodeRoutes& operator=(const PairCodeRoutes&) = delete;

  // Answers exactly once through `responder`, now or from a store or audit thread. Never throws.
  void handle(const Request& request, std::string_view body, std::shared_ptr<Responder> responder);

 private:
  using Reply = std::shared_ptr<Responder>;

  void dispatch(const Request& request, std::string_view body, const Reply& reply);
  void list(std::string_view query, UnixTime now, const Reply& reply);
  void create(const Identity& caller, RequestFacts facts, std::string_view body, UnixTime now,
              const Reply& reply);
  void cancel(RequestFacts facts, std::string_view pair_code_id, UnixTime now, const Reply& reply);
  void redeem(const Request& request, std::string_view body, UnixTime now, const Reply& reply);
  // A wrong code: one attempt spent for `client`, and the same answer whatever was wrong with it.
  Response refuse_code(const std::string& client);

  TokenStore& store_;
  Credentials& credentials_;
  FailureLimit& limit_;
  ChangeAudit audit_;
  Clock clock_;
  EventLog log_;
  PendingCalls pending_;  // last: destroyed first, waiting for callbacks that use the rest
};

}  // namespace fathom::admin
