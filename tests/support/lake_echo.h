// Reading what the test lake says it received: its echo body, and the heads in its record file,
// both {"method","path","query","headers":[[name,value],...]}.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace fathom::test {

// Every value of that header (case-insensitive name) in an echo or a recorded head.
std::vector<std::string> echoed_headers(const nlohmann::json& echo, std::string_view name);
// The first value, if any.
std::optional<std::string> echoed_header(const nlohmann::json& echo, std::string_view name);
// The header names, in order, for failure messages.
std::string echoed_header_names(const nlohmann::json& echo);

}  // namespace fathom::test
