// Runs a CLI command and turns the way it failed into stderr output and an exit code, once:
// "fathom-auth tokens revoke: …". Commands throw CliError; anything else is a bug or an answer
// of an unexpected shape, reported as such.
#pragma once

#include <functional>
#include <string_view>

namespace fathom::cli {

int run_command(std::string_view command, const std::function<int()>& body);

// Prints `help` on stdout and returns 0: the answer to --help at any level.
int print_help(std::string_view help);

}  // namespace fathom::cli
