#include "support/lake_echo.h"

#include <cctype>

namespace fathom::test {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<std::string> echoed_headers(const nlohmann::json& echo, std::string_view name) {
  std::vector<std::string> out;
  if (!echo.is_object() || !echo.contains("headers") || !echo["headers"].is_array()) return out;
  for (const nlohmann::json& h : echo["headers"]) {
    if (h.is_array() && h.size() == 2 && h[0].is_string() && h[1].is_string() &&
        iequal(h[0].get<std::string>(), name)) {
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
