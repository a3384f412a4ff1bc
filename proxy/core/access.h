// Who decides a request: a route handler that claims it, else the scope policies in config
// order; the first that does not abstain decides, and none deciding means deny (fail closed).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "fathom/plugin.h"
#include "plugin_host/plugin_loader.h"

namespace fathom {

struct AccessDecision {
  Verdict verdict = Verdict::deny;
  std::span<const std::string> scopes;
  std::string_view reason;
  RouteHandler* handler = nullptr;  // answers locally when set
};

AccessDecision decide_access(const PluginSet& plugins, const Request& request);

// The first required scope that `identity` lacks, or empty if it holds them all.
std::string_view missing_scope(const Identity& identity, std::span<const std::string> scopes);

}  // namespace fathom
