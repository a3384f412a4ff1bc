#include "store/token_codec.h"

#include <nlohmann/json.hpp>

namespace fathom::store {
namespace {

using nlohmann::json;

// Names are free text: a byte sequence that is not UTF-8 is written with U+FFFD in its place
// rather than throwing on the writer thread.
std::string compact(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json optional_time(const std::optional<UnixTime>& t) {
  return t ? json(*t) : json(nullptr);
}

json token_json(const TokenRecord& t) {
  return json{
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
  };
}

const json& field(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) throw CodecError(std::string("missing field \"") + key + "\"");
  return *it;
}

std::string string_field(const json& object, const char* key) {
  const json& v = field(object, key);
  if (!v.is_string()) throw CodecError(std::string("field \"") + key + "\" is not a string");
  return v.get<std::string>();
}

UnixTime time_field(const json& object, const char* key) {
  const json& v = field(object, key);
  if (!v.is_number_integer()) throw CodecError(std::string("field \"") + key + "\" is not a time");
  return v.get<UnixTime>();
}

std::optional<UnixTime> optional_time_field(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  return time_field(object, key);
}

TokenRecord token_from_json(const json& j) {
  if (!j.is_object()) throw CodecError("a token is not an object");
  TokenRecord t;
  t.token_id = string_field(j, "token_id");
  t.secret_hash = string_field(j, "secret_hash");
  t.name = string_field(j, "name");
  const json& scopes = field(j, "scopes");
  if (!scopes.is_array()) throw CodecError("field \"scopes\" is not an array");
  for (const json& s : scopes) {
    if (!s.is_string()) throw CodecError("a scope is not a string");
    t.scopes.push_back(s.get<std::string>());
  }
  t.created_at = time_field(j, "created_at");
  t.created_by = string_field(j, "created_by");
  t.last_used_at = optional_time_field(j, "last_used_at");
  t.expires_at = optional_time_field(j, "expires_at");
  t.revoked_at = optional_time_field(j, "revoked_at");
  t.rotated_from = string_field(j, "rotated_from");
  t.rotated_to = string_field(j, "rotated_to");
  if (t.token_id.empty()) throw CodecError("a token has an empty token_id");
  if (t.secret_hash.empty()) throw CodecError("token " + t.token_id + " has an empty secret_hash");
  return t;
}

}  // namespace

std::string header_payload(std::string_view key_fingerprint) {
  return compact(
      json{{"op", "header"}, {"version", kFormatVersion}, {"key_fingerprint", key_fingerprint}});
}

std::string put_payload(const TokenRecord& token) {
  return compact(json{{"op", "put"}, {"token", token_json(token)}});
}

std::string put_payload(std::span<const TokenRecord> tokens) {
  json list = json::array();
  for (const TokenRecord& t : tokens) list.push_back(token_json(t));
  return compact(json{{"op", "put"}, {"tokens", std::move(list)}});
}

std::string end_payload(size_t token_count) {
  return compact(json{{"op", "end"}, {"tokens", token_count}});
}

DecodedOp decode_op(std::string_view payload) {
  json j = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw CodecError("the payload is not JSON");
  if (!j.is_object()) throw CodecError("the payload is not a JSON object");
  std::string op = string_field(j, "op");
  DecodedOp decoded;
  if (op == "header") {
    decoded.kind = DecodedOp::Kind::header;
    const json& v = field(j, "version");
    if (!v.is_number_integer()) throw CodecError("field \"version\" is not an integer");
    decoded.version = v.get<int>();
    decoded.key_fingerprint = string_field(j, "key_fingerprint");
  } else if (op == "put") {
    decoded.kind = DecodedOp::Kind::put;
    if (auto one = j.find("token"); one != j.end()) {
      decoded.tokens.push_back(token_from_json(*one));
    } else {
      const json& many = field(j, "tokens");
      if (!many.is_array() || many.empty()) throw CodecError("field \"tokens\" is not a list");
      for (const json& t : many) decoded.tokens.push_back(token_from_json(t));
    }
  } else if (op == "end") {
    decoded.kind = DecodedOp::Kind::end;
    const json& n = field(j, "tokens");
    if (!n.is_number_unsigned()) throw CodecError("field \"tokens\" is not a count");
    decoded.token_count = n.get<size_t>();
  } else {
    throw CodecError("unknown op \"" + op + "\"");
  }
  return decoded;
}

}  // namespace fathom::store
