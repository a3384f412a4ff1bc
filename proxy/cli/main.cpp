// fathom-auth: one binary, several subcommands.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/server.h"

namespace {

const char kUsage[] =
    "usage: fathom-auth <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve --config FILE       run the proxy in the foreground (systemd runs it this way)\n"
    "  check-config FILE         validate a config and load its plugins, without serving\n"
    "  bootstrap --config FILE   mint an admin token and print it (only while none is active)\n"
    "  version                   print the version\n"
    "\n"
    "Run 'fathom-auth <command> --help' for a command's options.\n";

std::string exe_dir() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : p.parent_path().string();
}

int usage_error(const char* message) {
  std::fprintf(stderr, "fathom-auth: %s\n\n%s", message, kUsage);
  return 64;  // EX_USAGE
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage_error("a command is needed");
  std::string_view cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (cmd == "version" || cmd == "--version") {
    std::printf("fathom-auth %s\n", FATHOM_VERSION);
    return 0;
  }
  if (cmd == "serve") {
    std::string config;
    for (int i = 2; i < argc; ++i) {
      std::string_view a = argv[i];
      if (a == "--help" || a == "-h") {
        std::puts(
            "usage: fathom-auth serve --config FILE\n\n"
            "Runs the proxy in the foreground; logs are JSON lines on stderr.\n"
            "SIGHUP reloads the config and plugins; SIGTERM drains and exits.");
        return 0;
      }
      if (a == "--config" && i + 1 < argc) {
        config = argv[++i];
      } else if (a.starts_with("--config=")) {
        config = std::string(a.substr(9));
      } else {
        return usage_error(("serve: unknown option " + std::string(a)).c_str());
      }
    }
    if (config.empty()) return usage_error("serve: --config FILE is needed");
    return fathom::serve(config, exe_dir());
  }
  if (cmd == "bootstrap") {
    if (argc == 3 && (std::strcmp(argv[2], "--help") == 0 || std::strcmp(argv[2], "-h") == 0)) {
      std::puts(
          "usage: fathom-auth bootstrap --config FILE\n\n"
          "Mints an admin token (name bootstrap-admin, scopes [\"admin\"]) and prints it once.\n"
          "Refuses while an admin token is active. Stop the daemon first: it holds the store.");
      return 0;
    }
    if (argc != 4 || std::strcmp(argv[2], "--config") != 0) {
      return usage_error("bootstrap: --config FILE is needed");
    }
    return fathom::bootstrap(argv[3], exe_dir());
  }
  if (cmd == "check-config") {
    if (argc != 3 || std::strcmp(argv[2], "--help") == 0) {
      std::puts(
          "usage: fathom-auth check-config FILE\n\n"
          "Validates FILE and loads its plugins; exit 0 if the daemon would start with it.");
      return argc == 3 ? 0 : 64;
    }
    return fathom::check_config(argv[2], exe_dir());
  }
  return usage_error(("unknown command " + std::string(cmd)).c_str());
}
