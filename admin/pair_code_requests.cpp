#include "pair_code_requests.h"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include "body_fields.h"

namespace fathom::admin {

namespace {

using Json = nlohmann::json;

bool is_base62(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  });
}

}  // namespace

Parsed<PairCodeRequest> parse_pair_code_request(std::string_view body) {
  Parsed<PairCodeRequest> out;
  std::optional<Json> json =
      parse_object(body, false, R"({"name": "laptop-agent", "scopes": ["lake:read"]})", out.error);
  if (!json) return out;
  out.error =
      check_known_fields(*json, {"name", "scopes", "ttl_seconds"}, "name, scopes and ttl_seconds");
  if (!out.ok()) return out;
  const auto field = [&](const char* key) -> const Json* {
    auto it = json->find(key);
    return it == json->end() ? nullptr : &*it;
  };
  out.error = check_name(field("name"));
  if (!out.ok()) return out;
  out.value.name = (*json)["name"].get<std::string>();
  out.error = check_scopes(field("scopes"), out.value.scopes);
  if (!out.ok()) return out;
  // null reads as "not given", as for the token routes' optional fields.
  const Json* ttl = field("ttl_seconds");
  if (ttl != nullptr && !ttl->is_null() &&
      !whole_number_in(*ttl, kMinPairCodeTtl, kMaxPairCodeTtl, out.value.ttl_seconds)) {
    out.error =
        "ttl_seconds: must be a whole number of seconds from 60 to 86400 (a day); the "
        "default is 600.";
  }
  return out;
}

Parsed<std::string> parse_redeem_request(std::string_view body) {
  Parsed<std::string> out;
  std::optional<Json> json = parse_object(body, false, R"({"code": "pair_…"})", out.error);
  if (!json) return out;
  out.error = check_known_fields(*json, {"code"}, "only code");
  if (!out.ok()) return out;
  auto it = json->find("code");
  if (it == json->end() || it->is_null()) {
    out.error = "code: is required; send the pair code you were given, as {\"code\": \"pair_…\"}.";
  } else if (!it->is_string()) {
    out.error = "code: must be a string such as \"pair_…\".";
  } else {
    out.value = it->get<std::string>();
  }
  return out;
}

bool is_pair_code(std::string_view code) {
  return code.size() == 5 + 24 && code.starts_with("pair_") && is_base62(code.substr(5));
}

bool is_pair_code_id(std::string_view id) {
  if (!id.starts_with("pc_")) return false;
  const std::string_view rest = id.substr(3);
  return !rest.empty() && rest.size() <= 64 && is_base62(rest);
}

}  // namespace fathom::admin
