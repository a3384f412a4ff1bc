// read-only: a scope policy that refuses every write, for maintenance windows or a replica that
// must not change. It abstains on reads, so a policy after it (scope-rules) still decides which
// scopes a read needs. Plain logic with no plugin glue; plugin.cpp wraps it for the daemon.
//
// Config: none, or {} (no keys yet; unknown keys are refused so that a typo is not a no-op).
#pragma once

#include <string_view>

#include "fathom/plugin.h"

namespace fathom::read_only {

class ReadOnly final : public ScopePolicy {
 public:
  // Throws std::invalid_argument naming the key for a config it does not understand.
  explicit ReadOnly(std::string_view config_json);

  PolicyDecision decide(const Request& request) const override;
  PolicyDecision decide_for(std::string_view method) const;
};

// GET, HEAD and OPTIONS. Every other method, TRACE and CONNECT included, counts as a write: a
// read-only proxy should not reflect requests or open tunnels either.
bool is_read_method(std::string_view method);

}  // namespace fathom::read_only
