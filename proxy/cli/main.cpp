// fathom-auth: one binary, several subcommands. The daemon's own commands (serve, check-config,
// bootstrap) work on the config and the store; the others talk to a running daemon's admin API.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "cli/arguments.h"
#include "cli/audit_commands.h"
#include "cli/backup_commands.h"
#include "cli/cli_error.h"
#include "cli/command_runner.h"
#include "cli/exit_codes.h"
#include "cli/help_common.h"
#include "cli/pair_code_commands.h"
#include "cli/rotate_command.h"
#include "cli/token_commands.h"
#include "core/server.h"

namespace {

const std::string kUsage =
    std::string(
        "usage: fathom-auth <command> [options]\n"
        "\n"
        "the daemon:\n"
        "  serve --config FILE          run the proxy in the foreground (systemd runs it this "
        "way)\n"
        "  check-config FILE            validate a config and load its plugins, without serving\n"
        "                               (also: check-config --config FILE)\n"
        "  bootstrap --config FILE [--force]\n"
        "                               mint an admin token and print it (only while no lasting\n"
        "                               admin token is active; --force: the recovery path)\n"
        "  audit verify --config FILE   check the audit trail's hash chain offline\n"
        "  backup --config FILE --out FILE\n"
        "                               copy the token store (while the daemon runs)\n"
        "  restore --config FILE BACKUP put a backup back (daemon stopped; revocations kept)\n"
        "  version                      print the version\n"
        "\n"
        "the admin API of a running daemon:\n"
        "  tokens list|create|show|revoke|rotate   manage tokens\n"
        "  rotate NAME_OR_ID            replace a token: mint, print once, confirm, revoke the "
        "old\n"
        "  pair-code create|list|cancel single-use codes an agent trades for its own token\n"
        "  audit                        the audit trail, newest first\n"
        "\n"
        "Run 'fathom-auth <command> --help' for a command's options.\n\n") +
    fathom::cli::kApiOptionsHelp + "\n" + fathom::cli::kExitCodesHelp +
    "serve exits 1 when it cannot listen and 2 for a bad config or plugin; check-config exits 2\n"
    "for a bad config; bootstrap, backup and restore exit 1 when they fail.\n";

std::string exe_dir() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : p.parent_path().string();
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "fathom-auth: %s\n\n%s", message.c_str(), kUsage.c_str());
  return fathom::cli::kExitUsage;
}

bool is_help(std::string_view a) {
  return a == "--help" || a == "-h";
}

int serve_command(const std::vector<std::string>& args) {
  std::string config;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (is_help(a)) {
      std::puts(
          "usage: fathom-auth serve --config FILE\n\n"
          "Runs the proxy in the foreground; logs are JSON lines on stderr.\n"
          "SIGHUP reloads the config and plugins; SIGTERM drains and exits.\n"
          "Exit codes: 0 after a clean drain, 1 when it cannot listen, 2 for a bad config or\n"
          "plugin, 64 usage error.");
      return 0;
    }
    if (a == "--config" && i + 1 < args.size()) {
      config = args[++i];
    } else if (a.starts_with("--config=")) {
      config = std::string(a.substr(9));
    } else {
      return usage_error("serve: unknown option " + std::string(a.substr(0, a.find('='))));
    }
  }
  if (config.empty()) return usage_error("serve: --config FILE is needed");
  return fathom::serve(config, exe_dir());
}

int check_config_command(const std::vector<std::string>& args) {
  if (args.size() == 1 && is_help(args[0])) {
    std::puts(
        "usage: fathom-auth check-config FILE\n"
        "       fathom-auth check-config --config FILE\n\n"
        "Validates FILE and loads its plugins; exit 0 if the daemon would start with it, 2 (with\n"
        "a message naming the key) if not.");
    return 0;
  }
  if (args.size() == 1 && !args[0].starts_with("-"))
    return fathom::check_config(args[0], exe_dir());
  if (args.size() == 2 && args[0] == "--config") return fathom::check_config(args[1], exe_dir());
  if (args.size() == 1 && args[0].starts_with("--config=")) {
    return fathom::check_config(args[0].substr(9), exe_dir());
  }
  return usage_error("check-config: one FILE is needed");
}

int bootstrap_command(const std::vector<std::string>& args) {
  if (args.size() == 1 && is_help(args[0])) {
    std::puts(
        "usage: fathom-auth bootstrap --config FILE [--force]\n\n"
        "Mints an admin token (name bootstrap-admin, scopes [\"admin\"]) and prints it once.\n"
        "Refuses (exit 1) while a lasting admin token is active (one without an expiry, or\n"
        "one more than 24 hours away).\n\n"
        "--force mints one whatever is active: the way back in when every admin token is\n"
        "lost, or in the wrong hands. It is recorded in the audit (token.created, \"forced\n"
        "bootstrap\"). It needs what root on the host has: the config, the state_dir and the\n"
        "store.\n\n"
        "Stop the daemon first: it holds the store and the audit trail, and bootstrap refuses\n"
        "while it runs.");
    return 0;
  }
  std::string config;
  bool force = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--force") {
      force = true;
    } else if (args[i] == "--config" && i + 1 < args.size()) {
      config = args[++i];
    } else {
      return usage_error("bootstrap: unknown option " + args[i]);
    }
  }
  if (config.empty()) return usage_error("bootstrap: --config FILE is needed");
  return fathom::bootstrap(config, exe_dir(), force);
}

const char kBackupHelp[] =
    "usage: fathom-auth backup --config FILE --out FILE\n\n"
    "Writes a backup of the token store the config names to --out, while the daemon runs.\n"
    "Secrets are never in it (only their keyed hashes); keep <state_dir>/token-hash.key\n"
    "with it, or the backup's tokens cannot be checked. Exit codes: 0 done, 1 failed, 64\n"
    "usage error.\n";

const char kRestoreHelp[] =
    "usage: fathom-auth restore --config FILE BACKUP\n\n"
    "Replaces the token store the config names with BACKUP. Stop the daemon first. Tokens\n"
    "revoked after the backup was taken stay revoked (the revocation ledger survives).\n"
    "Exit codes: 0 done, 1 failed, 64 usage error.\n";

int backup_main(const std::vector<std::string>& args) {
  return fathom::cli::run_command("backup", [&]() -> int {
    fathom::cli::ParsedArgs parsed = fathom::cli::parse_args(
        args, {{"--config", true, false}, {"--out", true, false}}, "backup");
    if (parsed.help) return fathom::cli::print_help(kBackupHelp);
    auto config = parsed.value("--config");
    auto out = parsed.value("--out");
    if (!config || !out || !parsed.positionals.empty()) {
      throw fathom::cli::CliError(fathom::cli::kExitUsage,
                                  "--config FILE and --out FILE are needed");
    }
    return fathom::cli::backup_command(*config, *out, exe_dir());
  });
}

int restore_main(const std::vector<std::string>& args) {
  return fathom::cli::run_command("restore", [&]() -> int {
    fathom::cli::ParsedArgs parsed =
        fathom::cli::parse_args(args, {{"--config", true, false}}, "restore");
    if (parsed.help) return fathom::cli::print_help(kRestoreHelp);
    auto config = parsed.value("--config");
    if (!config || parsed.positionals.size() != 1) {
      throw fathom::cli::CliError(fathom::cli::kExitUsage,
                                  "--config FILE and one BACKUP file are needed");
    }
    return fathom::cli::restore_command(*config, parsed.positionals[0], exe_dir());
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage_error("a command is needed");
  const std::string_view cmd = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (is_help(cmd) || cmd == "help") {
    std::fputs(kUsage.c_str(), stdout);
    return 0;
  }
  if (cmd == "version" || cmd == "--version") {
    std::printf("fathom-auth %s\n", FATHOM_VERSION);
    return 0;
  }
  if (cmd == "serve") return serve_command(args);
  if (cmd == "check-config") return check_config_command(args);
  if (cmd == "bootstrap") return bootstrap_command(args);
  if (cmd == "tokens") return fathom::cli::run_tokens(args);
  if (cmd == "rotate") return fathom::cli::run_rotate(args);
  if (cmd == "pair-code") return fathom::cli::run_pair_code(args);
  if (cmd == "audit") return fathom::cli::run_audit(args);
  if (cmd == "backup") return backup_main(args);
  if (cmd == "restore") return restore_main(args);
  return usage_error("unknown command " + std::string(cmd));
}
