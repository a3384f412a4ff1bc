// The scope-rules plugin's entry point: only glue. The rules live in scope_rules.{h,cpp}.

#include <string>
#include <string_view>

#include "fathom/plugin.h"
#include "scope_rules.h"

namespace {

class ScopeRulesPlugin final : public fathom::Plugin {
 public:
  ScopeRulesPlugin(fathom::Host& host, std::string_view config_json) : rules_(config_json) {
    host.log(
        fathom::LogLevel::info, "scope_rules_ready",
        rules_.uses_default_table()
            ? std::string("default table: GET, HEAD, OPTIONS need lake:read, others lake:write")
            : std::to_string(rules_.rules().size()) + " rules");
  }

  fathom::ScopePolicy* policy() override { return &rules_; }

 private:
  fathom::scope_rules::ScopeRules rules_;
};

}  // namespace

FATHOM_PLUGIN("scope-rules", ScopeRulesPlugin)
