#include "pair_code_json.h"

#include "rfc3339.h"

namespace fathom::admin {

Json pair_code_json(const PairCodeRecord& record) {
  Json json = Json::object();
  json["pair_code_id"] = record.pair_code_id;
  json["name"] = record.name;
  json["scopes"] = record.scopes;
  json["created_at"] = format_time(record.created_at);
  json["created_by"] = record.created_by.empty() ? Json(nullptr) : Json(record.created_by);
  json["expires_at"] = format_time(record.expires_at);
  if (record.cancelled_at) json["cancelled_at"] = format_time(*record.cancelled_at);
  return json;
}

Json issued_pair_code_json(const PairCodeRecord& record, std::string_view code) {
  Json json = Json::object();
  json["pair_code_id"] = record.pair_code_id;
  json["code"] = code;
  json["name"] = record.name;
  json["scopes"] = record.scopes;
  json["expires_at"] = format_time(record.expires_at);
  return json;
}

}  // namespace fathom::admin
