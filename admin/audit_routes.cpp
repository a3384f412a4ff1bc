#include "audit_routes.h"

#include <exception>
#include <utility>

#include "audit_json.h"
#include "audit_requests.h"
#include "responses.h"
#include "route_table.h"

namespace fathom::admin {

namespace {

Response audit_unreadable() {
  return error_response(503, "store_unavailable",
                        "The audit trail cannot be read right now; try again in a few seconds.");
}

}  // namespace

void AuditRoutes::handle(const Request& request, std::shared_ptr<Responder> responder) {
  try {
    dispatch(request, responder);
  } catch (const std::exception&) {
    responder->respond(internal_error());
  }
}

void AuditRoutes::dispatch(const Request& request, const std::shared_ptr<Responder>& reply) {
  const std::optional<RouteMatch> match = match_route(request.path());
  if (request.identity() == nullptr) return reply->respond(unauthenticated(false));
  if (!match || match->kind != RouteKind::audit) {
    return reply->respond(
        error_response(404, "not_found", "There is no such audit route; see /v1/audit."));
  }
  const std::string_view method = request.method();
  // The daemon drops the body of a HEAD answer, so HEAD is GET here.
  if (method != "GET" && method != "HEAD") return reply->respond(method_not_allowed("GET, HEAD"));
  const Parsed<AuditQuery> query = parse_audit_query(request.query());
  if (!query.ok()) return reply->respond(invalid_request(query.error));
  if (log_ == nullptr) return reply->respond(audit_unreadable());
  log_->query(query.value, [reply](AuditStatus status, AuditPage page) {
    switch (status) {
      case AuditStatus::ok:
        break;
      case AuditStatus::bad_cursor:
        return reply->respond(invalid_request(
            "cursor: was not made by this audit trail, or is damaged; start again without it."));
      case AuditStatus::unavailable:
        return reply->respond(audit_unreadable());
    }
    Json events = Json::array();
    for (const AuditEvent& event : page.events) events.push_back(event_json(event));
    Json body = Json::object();
    body["events"] = std::move(events);
    body["next_cursor"] = page.next_cursor.empty() ? Json(nullptr) : Json(page.next_cursor);
    reply->respond(json_response(200, body));
  });
}

}  // namespace fathom::admin
