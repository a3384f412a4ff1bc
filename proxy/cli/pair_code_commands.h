// `fathom-auth pair-code create|list|cancel`: single-use codes an agent trades for its own token
// (POST /v1/pair), so that no token is ever copied from one machine to another.
#pragma once

#include <string>
#include <vector>

namespace fathom::cli {

// `args` are the words after "pair-code".
int run_pair_code(const std::vector<std::string>& args);

}  // namespace fathom::cli
