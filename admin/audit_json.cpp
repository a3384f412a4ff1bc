#include "audit_json.h"

#include <string>

#include "rfc3339.h"

namespace fathom::admin {

namespace {

Json text_or_null(const std::string& text) {
  return text.empty() ? Json(nullptr) : Json(text);
}

}  // namespace

Json event_json(const AuditEvent& event) {
  Json json = Json::object();
  json["event_id"] = event.event_id;
  json["time"] = format_time(event.time);
  json["kind"] = event.kind;
  json["token_id"] = text_or_null(event.token_id);
  json["actor_token_id"] = text_or_null(event.actor_token_id);
  json["method"] = text_or_null(event.method);
  json["path"] = text_or_null(event.path);
  json["status"] = event.status == 0 ? Json(nullptr) : Json(event.status);
  json["client"] = text_or_null(event.client);
  json["user_agent"] = text_or_null(event.user_agent);
  json["request_id"] = text_or_null(event.request_id);
  json["client_request_id"] = text_or_null(event.client_request_id);
  if (!event.pair_code_id.empty()) json["pair_code_id"] = event.pair_code_id;
  if (!event.detail.empty()) json["detail"] = event.detail;
  return json;
}

}  // namespace fathom::admin
