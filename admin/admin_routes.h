// Every route the admin plugin serves, behind one handle(): the token routes, the pair-code
// routes and the audit query, chosen by route_table.h. plugin.cpp only builds it from the Host;
// unit tests build it from a real store and a real audit log.
#pragma once

#include <memory>
#include <string_view>

#include "audit_routes.h"
#include "failure_limit.h"
#include "pair_code_routes.h"
#include "token_routes.h"

namespace fathom::admin {

class AdminRoutes {
 public:
  // `audit` may be null: changes then go unaudited and GET /v1/audit answers 503.
  AdminRoutes(TokenStore& store, Credentials& credentials, FailureLimit& limit, AuditLog* audit,
              TokenRoutes::Clock clock, TokenRoutes::EventLog log);

  // Answers exactly once through `responder`, now or from a store or audit thread. Never throws.
  void handle(const Request& request, std::string_view body, std::shared_ptr<Responder> responder);

 private:
  TokenRoutes tokens_;
  PairCodeRoutes pair_codes_;
  AuditRoutes audit_;
};

}  // namespace fathom::admin
