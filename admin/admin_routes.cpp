#include "admin_routes.h"

#include <utility>

#include "responses.h"
#include "route_table.h"

namespace fathom::admin {

AdminRoutes::AdminRoutes(TokenStore& store, Credentials& credentials, FailureLimit& limit,
                         AuditLog* audit, TokenRoutes::Clock clock, TokenRoutes::EventLog log)
    : tokens_(store, credentials, audit, clock, log),
      pair_codes_(store, credentials, limit, audit, std::move(clock), std::move(log)),
      audit_(audit) {}

void AdminRoutes::handle(const Request& request, std::string_view body,
                         std::shared_ptr<Responder> responder) {
  const std::optional<RouteMatch> match = match_route(request.path());
  if (!match) {
    // The daemon sends only what claim() took; anything else is a bug, answered plainly.
    return responder->respond(
        error_response(404, "not_found", "The admin plugin has no such route."));
  }
  switch (match->kind) {
    case RouteKind::pair_codes:
    case RouteKind::pair_code:
    case RouteKind::other_pair_code:
    case RouteKind::pair:
      return pair_codes_.handle(request, body, std::move(responder));
    case RouteKind::audit:
    case RouteKind::other_audit:
      return audit_.handle(request, std::move(responder));
    case RouteKind::tokens:
    case RouteKind::token:
    case RouteKind::rotate:
    case RouteKind::other_token:
    case RouteKind::me:
      break;
  }
  tokens_.handle(request, body, std::move(responder));
}

}  // namespace fathom::admin
