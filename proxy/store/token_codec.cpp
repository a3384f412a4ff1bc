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

std::vector<std::string> scopes_field(const json& object) {
  const json& scopes = field(object, "scopes");
  if (!scopes.is_array()) throw CodecError("field \"scopes\" is not an array");
  std::vector<std::string> out;
  for (const json& s : scopes) {
    if (!s.is_string()) throw CodecError("a scope is not a string");
    out.push_back(s.get<std::string>());
  }
  return out;
}

TokenRecord token_from_json(const json& j) {
  if (!j.is_object()) throw CodecError("a token is not an object");
  TokenRecord t;
  t.token_id = string_field(j, "token_id");
  t.secret_hash = string_field(j, "secret_hash");
  t.name = string_field(j, "name");
  t.scopes = scopes_field(j);
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

json pair_code_json(const PairCodeRecord& c) {
  return json{
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
  };
}

PairCodeRecord pair_code_from_json(const json& j) {
  if (!j.is_object()) throw CodecError("a pair code is not an object");
  PairCodeRecord c;
  c.pair_code_id = string_field(j, "pair_code_id");
  c.code_hash = string_field(j, "code_hash");
  c.name = string_field(j, "name");
  c.scopes = scopes_field(j);
  c.created_at = time_field(j, "created_at");
  c.expires_at = time_field(j, "expires_at");
  c.created_by = string_field(j, "created_by");
  c.redeemed_at = optional_time_field(j, "redeemed_at");
  c.cancelled_at = optional_time_field(j, "cancelled_at");
  c.token_id = string_field(j, "token_id");
  if (c.pair_code_id.empty()) throw CodecError("a pair code has an empty pair_code_id");
  if (c.code_hash.empty()) {
    throw CodecError("pair code " + c.pair_code_id + " has an empty code_hash");
  }
  return c;
}

json token_list(std::span<const TokenRecord> tokens) {
  json list = json::array();
  for (const TokenRecord& t : tokens) list.push_back(token_json(t));
  return list;
}

void decode_put(const json& j, DecodedOp& decoded) {
  auto one = j.find("token");
  auto many = j.find("tokens");
  auto codes = j.find("pair_codes");
  if (one != j.end()) {
    decoded.tokens.push_back(token_from_json(*one));
  } else if (many != j.end() || codes == j.end()) {
    const json& list = field(j, "tokens");  // names the missing field when the put is empty
    if (!list.is_array() || list.empty()) throw CodecError("field \"tokens\" is not a list");
    for (const json& t : list) decoded.tokens.push_back(token_from_json(t));
  }
  if (codes != j.end()) {
    if (!codes->is_array() || codes->empty()) {
      throw CodecError("field \"pair_codes\" is not a list");
    }
    for (const json& c : *codes) decoded.pair_codes.push_back(pair_code_from_json(c));
  }
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
  return compact(json{{"op", "put"}, {"tokens", token_list(tokens)}});
}

std::string put_payload(const PairCodeRecord& code) {
  return compact(json{{"op", "put"}, {"pair_codes", json::array({pair_code_json(code)})}});
}

std::string put_payload(std::span<const TokenRecord> tokens,
                        std::span<const PairCodeRecord> pair_codes) {
  json j{{"op", "put"}};
  if (!tokens.empty()) j["tokens"] = token_list(tokens);
  if (!pair_codes.empty()) {
    json list = json::array();
    for (const PairCodeRecord& c : pair_codes) list.push_back(pair_code_json(c));
    j["pair_codes"] = std::move(list);
  }
  return compact(j);
}

std::string reset_payload() {
  return compact(json{{"op", "reset"}});
}

std::string end_payload(size_t token_count, size_t pair_code_count) {
  return compact(json{{"op", "end"}, {"tokens", token_count}, {"pair_codes", pair_code_count}});
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
    decode_put(j, decoded);
  } else if (op == "reset") {
    decoded.kind = DecodedOp::Kind::reset;
  } else if (op == "end") {
    decoded.kind = DecodedOp::Kind::end;
    const json& n = field(j, "tokens");
    if (!n.is_number_unsigned()) throw CodecError("field \"tokens\" is not a count");
    decoded.token_count = n.get<size_t>();
    if (auto codes = j.find("pair_codes"); codes != j.end()) {
      if (!codes->is_number_unsigned()) throw CodecError("field \"pair_codes\" is not a count");
      decoded.pair_code_count = codes->get<size_t>();
    }
  } else {
    throw CodecError("unknown op \"" + op + "\"");
  }
  return decoded;
}

}  // namespace fathom::store
