#include "cli/command_runner.h"

#include <cstdio>
#include <exception>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/cli_error.h"
#include "cli/exit_codes.h"

namespace fathom::cli {

int run_command(std::string_view command, const std::function<int()>& body) {
  try {
    return body();
  } catch (const CliError& e) {
    std::fprintf(stderr, "fathom-auth %.*s: %s\n", static_cast<int>(command.size()), command.data(),
                 e.what());
    return e.exit_code();
  } catch (const nlohmann::json::exception&) {
    // A field of the wrong type in an answer: not the API this CLI was built for.
    std::fprintf(stderr,
                 "fathom-auth %.*s: the daemon's answer does not have the shape this CLI "
                 "expects; are the CLI and the daemon the same version?\n",
                 static_cast<int>(command.size()), command.data());
    return kExitUnreachable;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fathom-auth %.*s: %s\n", static_cast<int>(command.size()), command.data(),
                 e.what());
    return kExitLocal;
  }
}

int print_help(std::string_view help) {
  std::fwrite(help.data(), 1, help.size(), stdout);
  return kExitOk;
}

}  // namespace fathom::cli
