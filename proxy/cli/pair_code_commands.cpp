#include "cli/pair_code_commands.h"

#include <cstdio>
#include <string_view>

#include "cli/api_session.h"
#include "cli/cli_error.h"
#include "cli/command_runner.h"
#include "cli/exit_codes.h"
#include "cli/help_common.h"
#include "cli/table.h"

namespace fathom::cli {

namespace {

const std::string kPairHelp =
    std::string(
        "usage: fathom-auth pair-code <command> [options]\n"
        "\n"
        "Pair codes let an agent fetch its own token: the code is single use and short-lived, and\n"
        "the agent trades it for a token with POST /v1/pair. The caller needs tokens:manage and "
        "may\n"
        "only grant scopes it holds.\n"
        "\n"
        "commands:\n"
        "  create --name NAME --scope S [--scope S...] [--ttl SECONDS]\n"
        "                     make a code (valid 600 s by default, 60 to 86400) and print it once\n"
        "  list               pending codes (never the codes themselves)\n"
        "  cancel ID          cancel a pending code\n"
        "\n"
        "Run 'fathom-auth pair-code <command> --help' for details.\n\n") +
    kApiOptionsHelp + "\n" + kExitCodesHelp;

const std::string kCreateHelp =
    std::string(
        "usage: fathom-auth pair-code create --name NAME --scope SCOPE [--scope SCOPE...]\n"
        "                                    [--ttl SECONDS] [--json]\n"
        "\n"
        "Makes a pair code for a token named NAME with those scopes and prints it, with the "
        "command\n"
        "to run on the agent's machine. It is shown this once, works once, and expires after "
        "--ttl\n"
        "seconds (60 to 86400, default 600).\n\n") +
    kApiOptionsHelp;

const std::string kListHelp =
    std::string(
        "usage: fathom-auth pair-code list [--json]\n"
        "\n"
        "Lists the pending pair codes: id, name, scopes, expiry. Never the codes.\n\n") +
    kApiOptionsHelp;

const std::string kCancelHelp =
    std::string(
        "usage: fathom-auth pair-code cancel ID [--json]\n"
        "\n"
        "Cancels a pending pair code: it can no longer be redeemed.\n\n") +
    kApiOptionsHelp;

std::string pair_code_path(std::string_view id) {
  return "/v1/pair-codes/" + query_escape(id);
}

void create(const ParsedArgs& args) {
  if (!args.positionals.empty()) throw CliError(kExitUsage, "create takes no arguments");
  auto name = args.value("--name");
  std::vector<std::string> scopes = args.values("--scope");
  if (!name) throw CliError(kExitUsage, "--name NAME is needed");
  if (scopes.empty()) throw CliError(kExitUsage, "at least one --scope SCOPE is needed");
  ApiSession s = open_session(args, "pair-code create");
  nlohmann::json request = {{"name", *name}, {"scopes", scopes}};
  if (auto ttl = args.value("--ttl"))
    request["ttl_seconds"] = parse_count(*ttl, "--ttl", 60, 86'400);
  nlohmann::json code = call_api(s.client, "POST", "/v1/pair-codes", "create a pair code", request);
  if (s.json) return print_json(code);
  const std::string secret = code.at("code");
  std::printf(
      "Pair code %s for \"%s\" (scopes %s), single use, expires %s:\n"
      "  %s\n"
      "On the agent's machine, run:\n"
      "  npx fathom-agent init --pair-code %s\n",
      cell(code, "pair_code_id").c_str(), cell(code, "name").c_str(), cell(code, "scopes").c_str(),
      cell(code, "expires_at").c_str(), secret.c_str(), secret.c_str());
  std::fflush(stdout);
}

void list(const ParsedArgs& args) {
  if (!args.positionals.empty()) throw CliError(kExitUsage, "list takes no arguments");
  ApiSession s = open_session(args, "pair-code list");
  nlohmann::json body = call_api(s.client, "GET", "/v1/pair-codes", "list pair codes");
  if (s.json) return print_json(body);
  Table table({"ID", "NAME", "SCOPES", "CREATED", "EXPIRES"});
  for (const nlohmann::json& c : body.value("pair_codes", nlohmann::json::array())) {
    table.add_row({cell(c, "pair_code_id"), cell(c, "name"), cell(c, "scopes"),
                   cell(c, "created_at"), cell(c, "expires_at")});
  }
  table.print(stdout);
}

void cancel(const ParsedArgs& args) {
  if (args.positionals.size() != 1) throw CliError(kExitUsage, "one ID is needed");
  const std::string& id = args.positionals[0];
  ApiSession s = open_session(args, "pair-code cancel");
  nlohmann::json body = call_api(s.client, "DELETE", pair_code_path(id), "cancel " + id);
  if (s.json) return print_json(body);
  std::printf("Cancelled pair code %s.\n", id.c_str());
}

}  // namespace

int run_pair_code(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::fputs(kPairHelp.c_str(), stderr);
    return kExitUsage;
  }
  const std::string& sub = args[0];
  if (sub == "--help" || sub == "-h" || sub == "help") return print_help(kPairHelp);
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  const std::string command = "pair-code " + sub;
  return run_command(command, [&]() -> int {
    struct Sub {
      std::string_view name;
      const std::string& help;
      std::vector<OptionSpec> options;
      void (*run)(const ParsedArgs&);
    };
    const Sub subs[] = {
        {"create",
         kCreateHelp,
         {{"--name", true, false}, {"--scope", true, true}, {"--ttl", true, false}},
         create},
        {"list", kListHelp, {}, list},
        {"cancel", kCancelHelp, {}, cancel},
    };
    for (const Sub& s : subs) {
      if (s.name != sub) continue;
      ParsedArgs parsed = parse_args(rest, with_api_options(s.options), command);
      if (parsed.help) return print_help(s.help);
      s.run(parsed);
      return kExitOk;
    }
    throw CliError(kExitUsage, "unknown command; see 'fathom-auth pair-code --help'");
  });
}

}  // namespace fathom::cli
