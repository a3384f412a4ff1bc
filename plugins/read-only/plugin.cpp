// The read-only plugin's entry point: only glue. The policy lives in read_only.{h,cpp}.

#include <string_view>

#include "fathom/plugin.h"
#include "read_only.h"

namespace {

class ReadOnlyPlugin final : public fathom::Plugin {
 public:
  ReadOnlyPlugin(fathom::Host& host, std::string_view config_json) : policy_(config_json) {
    host.log(fathom::LogLevel::info, "read_only_ready", "every write is refused");
  }

  fathom::ScopePolicy* policy() override { return &policy_; }

 private:
  fathom::read_only::ReadOnly policy_;
};

}  // namespace

FATHOM_PLUGIN("read-only", ReadOnlyPlugin)
