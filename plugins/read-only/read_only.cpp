#include "read_only.h"

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace fathom::read_only {

namespace {
constexpr std::string_view kReason = "read-only: writes are disabled";
}  // namespace

bool is_read_method(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

ReadOnly::ReadOnly(std::string_view config_json) {
  nlohmann::ordered_json config;
  try {
    config = nlohmann::ordered_json::parse(config_json);
  } catch (const nlohmann::ordered_json::exception& e) {
    // The daemon hands over JSON it has already parsed, so only a caller bug lands here.
    throw std::invalid_argument(std::string("config is not valid JSON: ") + e.what());
  }
  if (config.is_null()) return;
  if (!config.is_object()) throw std::invalid_argument("config: must be {} or absent");
  if (!config.empty()) {
    throw std::invalid_argument(config.begin().key() +
                                ": unknown key (read-only takes no settings)");
  }
}

PolicyDecision ReadOnly::decide(const Request& request) const {
  return decide_for(request.method());
}

PolicyDecision ReadOnly::decide_for(std::string_view method) const {
  return is_read_method(method) ? PolicyDecision::abstain() : PolicyDecision::deny(kReason);
}

}  // namespace fathom::read_only
