#include "support/lake_echo.h"

#include "http/message.h"

namespace fathom::test {

std::vector<std::string> echoed_headers(const nlohmann::json& echo, std::string_view name) {
  std::vector<std::string> out;
  if (!echo.is_object() || !echo.contains("headers") || !echo["headers"].is_array()) return out;
  for (const nlohmann::json& h : echo["headers"]) {
    if (h.is_array() && h.size() == 2 && h[0].is_string() && h[1].is_string() &&
        http::iequals(h[0].get<std::string>(), name)) {
      out.push_back(h[1].get<std::string>());
    }
  }
  return out;
}

std::optional<std::string> echoed_header(const nlohmann::json& echo, std::string_view name) {
  std::vector<std::string> all = echoed_headers(echo, name);
  if (all.empty()) return std::nullopt;
  return all.front();
}

std::string echoed_header_names(const nlohmann::json& echo) {
  std::string out;
  if (!echo.is_object() || !echo.contains("headers") || !echo["headers"].is_array()) {
    return "(no headers array)";
  }
  for (const nlohmann::json& h : echo["headers"]) {
    if (h.is_array() && !h.empty() && h[0].is_string()) {
      if (!out.empty()) out += ", ";
      out += h[0].get<std::string>();
    }
  }
  return out;
}

}  // namespace fathom::test
