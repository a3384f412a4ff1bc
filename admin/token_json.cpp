#include "token_json.h"

#include <optional>
#include <string>

#include "rfc3339.h"

namespace fathom::admin {

namespace {

Json time_or_null(const std::optional<UnixTime>& time) {
  return time ? Json(format_time(*time)) : Json(nullptr);
}

// The store keeps "no such id" as an empty string; the API shows null.
Json id_or_null(const std::string& id) {
  return id.empty() ? Json(nullptr) : Json(id);
}

}  // namespace

std::string_view token_status(const TokenRecord& record, UnixTime now) {
  if (record.revoked()) return "revoked";
  if (record.expired(now)) return "expired";
  return "active";
}

Json token_json(const TokenRecord& record, UnixTime now) {
  Json token = Json::object();
  token["token_id"] = record.token_id;
  token["name"] = record.name;
  token["scopes"] = record.scopes;
  token["status"] = token_status(record, now);
  token["created_at"] = format_time(record.created_at);
  token["created_by"] = id_or_null(record.created_by);
  token["last_used_at"] = time_or_null(record.last_used_at);
  token["expires_at"] = time_or_null(record.expires_at);
  token["revoked_at"] = time_or_null(record.revoked_at);
  token["rotated_from"] = id_or_null(record.rotated_from);
  token["rotated_to"] = id_or_null(record.rotated_to);
  return token;
}

Json minted_token_json(const TokenRecord& record, std::string_view secret, UnixTime now) {
  Json token = token_json(record, now);
  token["token"] = secret;
  return token;
}

}  // namespace fathom::admin
