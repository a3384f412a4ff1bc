// scope-rules: a table of method + path-prefix rules that says which scopes a request needs, or
// that it is public, or refused. Plain logic with no plugin glue, so unit tests link it directly;
// plugin.cpp wraps it for the daemon.
//
// Config: {"rules": [{"methods"?: ["GET", …], "prefix": "/v1/", "scopes": ["lake:read"]}
//                    | {… "public": true} | {… "deny": true}, …]}
// The first rule whose methods (any, when absent) and path prefix match decides. When no rule
// matches the policy abstains, so a later policy may decide. Without config, or without "rules",
// the default table applies: GET, HEAD and OPTIONS need lake:read, every other method lake:write.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fathom/plugin.h"

namespace fathom::scope_rules {

struct Rule {
  std::vector<std::string> methods;    // empty: every method
  std::string prefix;                  // matched against the raw path; empty matches every path
  Verdict verdict = Verdict::require;  // require, allow_public or deny
  std::vector<std::string> scopes;     // for require; decide() hands out a span into it
  std::string reason;                  // e.g. "scope-rules: rules[2] (prefix /v1/)"

  bool matches(std::string_view method, std::string_view path) const;
};

class ScopeRules final : public ScopePolicy {
 public:
  // `config_json` is the plugin's config as JSON text ("null" when it has none). Throws
  // std::invalid_argument naming the key, e.g. `rules[2].prefix: must start with "/"`.
  explicit ScopeRules(std::string_view config_json);

  PolicyDecision decide(const Request& request) const override;
  // The same, from a method and a path; allocates nothing.
  PolicyDecision decide_for(std::string_view method, std::string_view path) const;

  const std::vector<Rule>& rules() const { return rules_; }
  bool uses_default_table() const { return default_table_; }

 private:
  std::vector<Rule> rules_;
  bool default_table_ = false;
};

// Exposed for the daemon's own checks and tests: does `scope` have the form the API allows
// (^[a-z][a-z0-9_-]*(:[a-z0-9_*.-]+)?$, at most 64 characters)?
bool is_valid_scope(std::string_view scope);

}  // namespace fathom::scope_rules
