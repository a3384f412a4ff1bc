// `fathom-auth rotate NAME_OR_ID`: the rotation guide of docs/operations.md in one command.
// Mint the replacement (same name and scopes), print it once, confirm it (GET /v1/stats with it
// under --verify, else wait until the daemon has seen it used), and only then revoke the old one;
// with --grace, leave the old one to expire instead.
#pragma once

#include <string>
#include <vector>

namespace fathom::cli {

// `args` are the words after "rotate".
int run_rotate(const std::vector<std::string>& args);

}  // namespace fathom::cli
