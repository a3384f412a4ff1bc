// The parts of a JSON request body that several admin routes share: reading one object, numbers,
// token names and scope lists, and refusing unknown fields. Each check answers "" or the 400
// message, which starts with the field it is about.

#include "body_fields.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>

#include "token_requests.h"

namespace fathom::admin {

using Json = nlohmann::json;

// Keys the client sent are echoed in messages; a long or odd one is cut, and the JSON encoder
// escapes whatever is left.
std::string shown_key(std::string_view key) {
  constexpr size_t kMaxEcho = 40;
  std::string shown(key.substr(0, kMaxEcho));
  if (key.size() > kMaxEcho) shown += "...";
  return shown;
}

// Parses a body that must be one JSON object. Duplicate top-level keys are refused: nlohmann
// would keep the last one silently, and a body that says two things about its scopes is a bug in
// the client that should surface, not be guessed at.
std::optional<Json> parse_object(std::string_view body, bool empty_means_empty_object,
                                 std::string_view example, std::string& error) {
  const bool blank = std::all_of(body.begin(), body.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  });
  if (blank && empty_means_empty_object) return Json::object();
  std::set<std::string> seen;
  std::string duplicate;
  auto callback = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (depth == 1 && event == Json::parse_event_t::key && duplicate.empty()) {
      const std::string& key = parsed.get_ref<const std::string&>();
      if (!seen.insert(key).second) duplicate = key;
    }
    return true;
  };
  Json value = Json::parse(body.begin(), body.end(), callback, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) {
    error = "body: must be a JSON object such as " + std::string(example) + ".";
    return std::nullopt;
  }
  if (!duplicate.empty()) {
    error = shown_key(duplicate) + ": appears twice in the body; send each field once.";
    return std::nullopt;
  }
  return value;
}

// A whole number within [lo, hi]; floats, booleans and strings are refused rather than coerced.
bool whole_number_in(const Json& value, int64_t lo, int64_t hi, int64_t& out) {
  if (value.is_number_unsigned()) {
    const uint64_t u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    out = static_cast<int64_t>(u);
  } else if (value.is_number_integer()) {
    out = value.get<int64_t>();
  } else {
    return false;
  }
  return out >= lo && out <= hi;
}

std::string check_name(const Json* value) {
  const std::string rule =
      "give the token a name of 1 to 64 printable characters, such as "
      "\"ci-deploy\".";
  if (value == nullptr || value->is_null()) return "name: is required; " + rule;
  if (!value->is_string()) return "name: must be a string; " + rule;
  if (!is_valid_token_name(value->get_ref<const std::string&>())) {
    return "name: must be 1 to 64 printable characters, without control or invisible formatting "
           "characters, and not only spaces.";
  }
  return {};
}

std::string check_scopes(const Json* value, std::vector<std::string>& scopes) {
  const std::string rule = "must be an array of 1 to 32 scopes such as [\"lake:read\"].";
  if (value == nullptr || value->is_null()) return "scopes: is required and " + rule;
  if (!value->is_array() || value->empty() || value->size() > kMaxScopes) {
    return "scopes: " + rule;
  }
  for (size_t i = 0; i < value->size(); ++i) {
    const Json& item = (*value)[i];
    const std::string key = "scopes[" + std::to_string(i) + "]";
    if (!item.is_string() || !is_valid_scope(item.get_ref<const std::string&>())) {
      return key +
             ": must be a scope such as \"lake:read\": a lowercase letter, then lowercase "
             "letters, digits, \"_\" or \"-\", optionally \":\" and a qualifier, at most 64 "
             "characters.";
    }
    const std::string& scope = item.get_ref<const std::string&>();
    if (std::find(scopes.begin(), scopes.end(), scope) != scopes.end()) {
      return key + ": \"" + scope + "\" is listed twice; list each scope once.";
    }
    scopes.push_back(scope);
  }
  return {};
}

std::string check_known_fields(const Json& body, std::initializer_list<std::string_view> known,
                               std::string_view accepted) {
  for (const auto& [key, value] : body.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return shown_key(key) + ": unknown field; this route takes " + std::string(accepted) + ".";
    }
  }
  return {};
}

}  // namespace fathom::admin
