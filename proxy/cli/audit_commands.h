// `fathom-auth audit`: the audit trail through GET /v1/audit, newest first, one page or (--all)
// every page; and `fathom-auth audit verify`, which checks the trail's files offline.
#pragma once

#include <string>
#include <vector>

namespace fathom::cli {

// `args` are the words after "audit".
int run_audit(const std::vector<std::string>& args);

}  // namespace fathom::cli
