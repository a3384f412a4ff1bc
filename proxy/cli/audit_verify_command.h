// `fathom-auth audit verify --config FILE`: checks the audit trail's hash chain offline, in the
// folder the config names (audit.path, default <state_dir>/audit). Safe while the daemon runs.
#pragma once

#include <string>
#include <vector>

namespace fathom::cli {

// `args` are the words after "audit verify". Exit 0 when the chain holds, 1 when a link is
// broken or the files cannot be read, 2 when the config does not load, 64 for usage errors.
int run_audit_verify(const std::vector<std::string>& args);

}  // namespace fathom::cli
