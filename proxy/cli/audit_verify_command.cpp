#include "cli/audit_verify_command.h"

#include <cstdio>
#include <exception>

#include "audit/audit_verify.h"
#include "cli/arguments.h"
#include "cli/cli_error.h"
#include "cli/command_runner.h"
#include "cli/exit_codes.h"
#include "config/config.h"

namespace fathom::cli {

namespace {

const char kVerifyHelp[] =
    "usage: fathom-auth audit verify --config FILE\n"
    "\n"
    "Checks the audit files (audit.path, default <state_dir>/audit) offline: every event is\n"
    "well formed, numbered in order, and chained to the one before by its SHA-256. Reads only;\n"
    "safe while the daemon runs (a line being written shows as a torn tail, not a failure).\n"
    "\n"
    "exit codes: 0 the chain holds (\"audit ok: N events\"), 1 a broken link (the first one is\n"
    "named) or unreadable files, 2 the config does not load, 64 usage error.\n";

}  // namespace

int run_audit_verify(const std::vector<std::string>& args) {
  return run_command("audit verify", [&]() -> int {
    ParsedArgs parsed = parse_args(args, {{"--config", true, false}}, "audit verify");
    if (parsed.help) return print_help(kVerifyHelp);
    auto config_path = parsed.value("--config");
    if (!config_path || !parsed.positionals.empty()) {
      throw CliError(kExitUsage, "--config FILE is needed, and nothing else");
    }
    Config cfg;
    try {
      cfg = load_config(*config_path, ".");
    } catch (const std::exception& e) {
      throw CliError(2, e.what());
    }
    const std::string dir = cfg.audit.path.empty() ? cfg.state_dir + "/audit" : cfg.audit.path;
    audit::VerifyReport report = audit::verify_audit(dir);
    if (!report.ok) {
      std::fprintf(stderr, "audit broken: %s\n", report.problem.c_str());
      std::printf("audit broken after %llu good events\n",
                  static_cast<unsigned long long>(report.events_checked));
      return 1;
    }
    if (report.torn_tail) std::fprintf(stderr, "note: %s\n", report.torn_tail_note.c_str());
    std::printf("audit ok: %llu events\n", static_cast<unsigned long long>(report.events_checked));
    return kExitOk;
  });
}

}  // namespace fathom::cli
