#include "core/access.h"

namespace fathom {

AccessDecision decide_access(const PluginSet& plugins, const Request& request) {
  for (RouteHandler* h : plugins.handlers()) {
    if (auto claim = h->claim(request)) {
      // A handler that claims a route but abstains on access is treated as deny: a local route
      // must say what it needs.
      Verdict v = claim->verdict == Verdict::abstain ? Verdict::deny : claim->verdict;
      return {v, claim->scopes, claim->reason, h};
    }
  }
  for (const ScopePolicy* p : plugins.policies()) {
    PolicyDecision d = p->decide(request);
    if (d.verdict != Verdict::abstain) return {d.verdict, d.scopes, d.reason, nullptr};
  }
  return {Verdict::deny, {}, "no policy allows this request", nullptr};
}

std::string_view missing_scope(const Identity& identity, std::span<const std::string> scopes) {
  for (const std::string& s : scopes) {
    if (!identity.has_scope(s)) return s;
  }
  return {};
}

}  // namespace fathom
