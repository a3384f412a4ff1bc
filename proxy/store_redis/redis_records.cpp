#include "store_redis/redis_records.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace fathom::store_redis {
namespace {

using nlohmann::json;

json optional_time(const std::optional<UnixTime>& t) {
  return t ? json(*t) : json(nullptr);
}

// Free text is written with U+FFFD for bytes that are not UTF-8 rather than throwing.
std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

const json& field(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) throw RecordError(std::string("missing field \"") + key + "\"");
  return *it;
}

std::string string_field(const json& object, const char* key, bool required = true) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) throw RecordError(std::string("missing field \"") + key + "\"");
    return {};
  }
  if (!it->is_string()) throw RecordError(std::string("field \"") + key + "\" is not a string");
  return it->get<std::string>();
}

UnixTime time_value(const json& v, const char* key) {
  if (v.is_number_integer()) return v.get<UnixTime>();
  // cjson reads every number as a double; whole values are fine.
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) {
      return static_cast<UnixTime>(d);
    }
  }
  throw RecordError(std::string("field \"") + key + "\" is not a time");
}

UnixTime time_field(const json& object, const char* key) {
  return time_value(field(object, key), key);
}

std::optional<UnixTime> optional_time_field(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  return time_value(*it, key);
}

std::vector<std::string> scopes_field(const json& object) {
  const json& scopes = field(object, "scopes");
  std::vector<std::string> out;
  if (scopes.is_object() && scopes.empty()) return out;  // cjson's empty table
  if (!scopes.is_array()) throw RecordError("field \"scopes\" is not an array");
  for (const json& s : scopes) {
    if (!s.is_string()) throw RecordError("a scope is not a string");
    out.push_back(s.get<std::string>());
  }
  return out;
}

json parse_object(std::string_view text, const char* what) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw RecordError(std::string("a stored ") + what + " is not a JSON object");
  }
  return j;
}

}  // namespace

std::string encode_token(const TokenRecord& t) {
  return dump(json{
      {"token_id", t.token_id},
      {"secret_hash", t.secret_hash},
      {"name", t.name},
      {"scopes", t.scopes},
      {"created_at", t.created_at},
      {"created_by", t.created_by},
      {"last_used_at", optional_time(t.last_used_at)},
      {"expires_at", optional_time(t.expires_at)},
      {"revoked_at", optional_time(t.revoked_at)},
      {"rotated_from", t.rotated_from},
      {"rotated_to", t.rotated_to},
  });
}

std::string encode_pair_code(const PairCodeRecord& c) {
  return dump(json{
      {"pair_code_id", c.pair_code_id},
      {"code_hash", c.code_hash},
      {"name", c.name},
      {"scopes", c.scopes},
      {"created_at", c.created_at},
      {"expires_at", c.expires_at},
      {"created_by", c.created_by},
      {"redeemed_at", optional_time(c.redeemed_at)},
      {"cancelled_at", optional_time(c.cancelled_at)},
      {"token_id", c.token_id},
  });
}

TokenRecord decode_token(std::string_view text) {
  json j = parse_object(text, "token");
  TokenRecord t;
  t.token_id = string_field(j, "token_id");
  t.secret_hash = string_field(j, "secret_hash");
  t.name = string_field(j, "name");
  t.scopes = scopes_field(j);
  t.created_at = time_field(j, "created_at");
  t.created_by = string_field(j, "created_by", false);
  t.last_used_at = optional_time_field(j, "last_used_at");
  t.expires_at = optional_time_field(j, "expires_at");
  t.revoked_at = optional_time_field(j, "revoked_at");
  t.rotated_from = string_field(j, "rotated_from", false);
  t.rotated_to = string_field(j, "rotated_to", false);
  return t;
}

PairCodeRecord decode_pair_code(std::string_view text) {
  json j = parse_object(text, "pair code");
  PairCodeRecord c;
  c.pair_code_id = string_field(j, "pair_code_id");
  c.code_hash = string_field(j, "code_hash");
  c.name = string_field(j, "name");
  c.scopes = scopes_field(j);
  c.created_at = time_field(j, "created_at");
  c.expires_at = time_field(j, "expires_at");
  c.created_by = string_field(j, "created_by", false);
  c.redeemed_at = optional_time_field(j, "redeemed_at");
  c.cancelled_at = optional_time_field(j, "cancelled_at");
  c.token_id = string_field(j, "token_id", false);
  return c;
}

std::vector<PairCodeRecord> decode_pair_code_lines(std::string_view lines) {
  std::vector<PairCodeRecord> codes;
  while (!lines.empty()) {
    const size_t end = lines.find('\n');
    const std::string_view line = lines.substr(0, end);
    if (!line.empty()) codes.push_back(decode_pair_code(line));
    if (end == std::string_view::npos) break;
    lines.remove_prefix(end + 1);
  }
  return codes;
}

}  // namespace fathom::store_redis
