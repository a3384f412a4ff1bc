// `fathom-auth tokens list|create|show|revoke|rotate`: one admin API call each (revoke and
// rotate first find the token a name means).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fathom::cli {

// `args` are the words after "tokens".
int run_tokens(const std::vector<std::string>& args);

// The table of token objects that `tokens list` prints.
void print_token_table(const nlohmann::json& tokens);

}  // namespace fathom::cli
