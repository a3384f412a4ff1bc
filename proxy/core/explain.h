// GET /v1/auth/explain?method=POST&path=/v1/x: which plugin decides such a request and what it
// needs, judged for the calling token, without forwarding anything. Served by the core, not by a
// plugin, because only the core knows every plugin and their order.
//
// explain_access() walks the plugins exactly as decide_access() does (route handlers that claim
// the path first, then the scope policies in config order) but records every answer on the way,
// so an operator sees why a request was refused and which plugin to change.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fathom/plugin.h"
#include "plugin_host/plugin_loader.h"

namespace fathom {

struct ExplainStep {
  std::string plugin;  // the configured name
  std::string role;    // "route handler" or "scope policy"
  Verdict verdict = Verdict::abstain;
  std::vector<std::string> scopes;
  std::string reason;
};

struct Explanation {
  std::vector<ExplainStep> steps;  // every plugin asked, in order, up to the one that decided
  int decided_by = -1;             // index into steps; -1: nobody decided (deny)
  Verdict verdict = Verdict::deny;
  std::vector<std::string> missing_scopes;  // required scopes the caller lacks
  bool allowed = false;                     // would the caller's request go through?
};

Explanation explain_access(const PluginSet& plugins, const Request& request,
                           const Identity& caller);

// The route itself: parses `query` (method and path, percent-encoded), and answers 200 with the
// explanation as JSON, or 400 invalid_request naming the bad parameter.
Response explain_route(const PluginSet& plugins, std::string_view query, const Identity& caller,
                       std::string_view client, std::string_view request_id);

// The scopes the explain route itself needs.
inline const std::string kExplainScope = "tokens:manage";
inline constexpr std::string_view kExplainPath = "/v1/auth/explain";

// The route as a handler, so that it goes through the same authentication, body reading and
// answering as a plugin's routes. One per Runtime: it explains with that runtime's plugins.
class ExplainHandler final : public RouteHandler {
 public:
  explicit ExplainHandler(const PluginSet& plugins) : plugins_(plugins) {}
  std::optional<PolicyDecision> claim(const Request& request) const override;
  void handle(const Request& request, std::string_view body,
              std::shared_ptr<Responder> responder) override;

 private:
  const PluginSet& plugins_;
};

}  // namespace fathom
