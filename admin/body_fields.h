// JSON body fields shared by the admin routes (tokens, pair codes). Each check answers "" when the
// value is good, else the 400 message, starting with the field's name ("scopes[2]: …").
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace fathom::admin {

// A client-sent key as it may appear in a message: cut when long; the JSON encoder escapes it.
std::string shown_key(std::string_view key);

// The body as one JSON object, or nullopt with `error` set. Duplicate top-level keys are refused.
// A blank body reads as {} when `empty_means_empty_object`. `example` is quoted in the message.
std::optional<nlohmann::json> parse_object(std::string_view body, bool empty_means_empty_object,
                                           std::string_view example, std::string& error);

// A whole number within [lo, hi] into `out`; floats, booleans and strings are refused.
bool whole_number_in(const nlohmann::json& value, int64_t lo, int64_t hi, int64_t& out);

// "name": 1 to 64 printable characters (see is_valid_token_name). `value` is null when absent.
std::string check_name(const nlohmann::json* value);

// "scopes": 1 to 32 distinct valid scopes, appended to `scopes`.
std::string check_scopes(const nlohmann::json* value, std::vector<std::string>& scopes);

// Refuses the first key not in `known`; `accepted` lists them for the message.
std::string check_known_fields(const nlohmann::json& body,
                               std::initializer_list<std::string_view> known,
                               std::string_view accepted);

}  // namespace fathom::admin
