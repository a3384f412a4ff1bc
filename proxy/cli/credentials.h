// Where the CLI finds the admin token and the daemon's address. The token comes from
// --token-file FILE (its first line) or the FATHOM_ADMIN_TOKEN environment variable, never from
// a plain flag; the address from --url, FATHOM_URL, or http://127.0.0.1:8201.
#pragma once

#include <string>

#include "cli/arguments.h"

namespace fathom::cli {

inline constexpr const char* kDefaultUrl = "http://127.0.0.1:8201";

// The admin token. --token-file wins over the environment (what the command line says is what
// the user meant). A file readable by others is refused, one readable by its group gets a
// warning on stderr. Throws CliError(kExitLocal) naming the problem, never the token.
std::string admin_token(const ParsedArgs& args);

// The daemon's base URL as given (not yet parsed).
std::string server_url_text(const ParsedArgs& args);

}  // namespace fathom::cli
