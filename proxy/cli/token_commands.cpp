#include "cli/token_commands.h"

#include <cstdio>
#include <string_view>

#include "cli/api_session.h"
#include "cli/cli_error.h"
#include "cli/command_runner.h"
#include "cli/exit_codes.h"
#include "cli/help_common.h"
#include "cli/table.h"
#include "cli/token_lookup.h"

namespace fathom::cli {

namespace {

const std::string kTokensHelp =
    std::string(
        "usage: fathom-auth tokens <command> [options]\n"
        "\n"
        "Manage the API tokens through the admin API (the caller's token needs tokens:manage).\n"
        "\n"
        "commands:\n"
        "  list [--status active|revoked|expired|all]   tokens, oldest first (default: active)\n"
        "  create --name NAME --scope S [--scope S...] [--expires-in SECONDS]\n"
        "                                  mint a token and print it, once\n"
        "  show ID_OR_NAME                 one token\n"
        "  revoke ID_OR_NAME               revoke a token; it is refused at once\n"
        "  rotate ID_OR_NAME [--grace SECONDS]\n"
        "                                  mint its replacement (same name and scopes) and print "
        "it\n"
        "                                  once; the old one stays active until revoked, or "
        "expires\n"
        "                                  after the grace. 'fathom-auth rotate' does the whole\n"
        "                                  replacement, checks included.\n"
        "\n"
        "A NAME must match exactly one token (exit code 6 lists the candidates when several do).\n"
        "Run 'fathom-auth tokens <command> --help' for details.\n\n") +
    kApiOptionsHelp + "\n" + kExitCodesHelp;

const std::string kListHelp =
    std::string(
        "usage: fathom-auth tokens list [--status active|revoked|expired|all] [--json]\n"
        "\n"
        "Lists tokens, oldest first: id, name, scopes, status, and times (RFC 3339, UTC).\n"
        "Never shows a secret.\n\n") +
    kApiOptionsHelp;

const std::string kCreateHelp =
    std::string(
        "usage: fathom-auth tokens create --name NAME --scope SCOPE [--scope SCOPE...]\n"
        "                                 [--expires-in SECONDS] [--json]\n"
        "\n"
        "Mints a token. The token alone goes to stdout (TOKEN=$(fathom-auth tokens create ...)),\n"
        "a note to stderr; with --json, the API's whole answer, the token included. It is shown\n"
        "this once: the daemon keeps only a hash of it.\n"
        "\n"
        "  --name NAME          1-64 characters; need not be unique\n"
        "  --scope SCOPE        lake:read, lake:write, tokens:manage, audit:read, admin, or a "
        "scope\n"
        "                       of your policies; repeat for several (1 to 32)\n"
        "  --expires-in SECONDS the token expires after this long (default: never)\n\n") +
    kApiOptionsHelp;

const std::string kShowHelp =
    std::string(
        "usage: fathom-auth tokens show ID_OR_NAME [--json]\n"
        "\n"
        "Shows one token (any status). A NAME must match exactly one token.\n\n") +
    kApiOptionsHelp;

const std::string kRevokeHelp =
    std::string(
        "usage: fathom-auth tokens revoke ID_OR_NAME [--json]\n"
        "\n"
        "Revokes a token: the very next request with it is refused. A NAME must match exactly one\n"
        "active token. The last lasting admin token (no expiry, or one more than 24 hours away)\n"
        "cannot be revoked (exit code 5): mint another first, or replace it with\n"
        "'fathom-auth rotate ID'.\n\n") +
    kApiOptionsHelp;

const std::string kRotateHelp =
    std::string(
        "usage: fathom-auth tokens rotate ID_OR_NAME [--grace SECONDS] [--json]\n"
        "\n"
        "Mints the replacement of a token (same name and scopes, rotated_from set) and prints it\n"
        "once, as 'tokens create' does. Without --grace the old token stays active until you "
        "revoke\n"
        "it; with --grace it expires after SECONDS (0 to 2592000). Nothing is checked: for the\n"
        "whole replacement (confirm the new token, then revoke the old) use 'fathom-auth "
        "rotate'.\n\n") +
    kApiOptionsHelp;

void list(const ParsedArgs& args) {
  if (!args.positionals.empty()) throw CliError(kExitUsage, "list takes no arguments");
  ApiSession s = open_session(args, "tokens list");
  std::string status = args.value("--status").value_or("active");
  if (status != "active" && status != "revoked" && status != "expired" && status != "all") {
    throw CliError(kExitUsage, "--status: must be active, revoked, expired or all");
  }
  nlohmann::json body = call_api(s.client, "GET", "/v1/tokens?status=" + status, "list tokens");
  if (s.json) return print_json(body);
  print_token_table(body.value("tokens", nlohmann::json::array()));
}

// The stderr note beside a printed secret.
void note_shown_once(const nlohmann::json& token, std::string_view verb) {
  std::fprintf(stderr,
               "%.*s %s \"%s\" (scopes %s, expires %s). This token is shown only this once: "
               "store it now.\n",
               static_cast<int>(verb.size()), verb.data(), cell(token, "token_id").c_str(),
               cell(token, "name").c_str(), cell(token, "scopes").c_str(),
               cell(token, "expires_at") == "-" ? "never" : cell(token, "expires_at").c_str());
}

void print_secret(const nlohmann::json& token) {
  std::printf("%s\n", token.at("token").get<std::string>().c_str());
  std::fflush(stdout);
}

void create(const ParsedArgs& args) {
  auto name = args.value("--name");
  std::vector<std::string> scopes = args.values("--scope");
  if (!args.positionals.empty()) throw CliError(kExitUsage, "create takes no arguments");
  if (!name) throw CliError(kExitUsage, "--name NAME is needed");
  if (scopes.empty()) throw CliError(kExitUsage, "at least one --scope SCOPE is needed");
  ApiSession s = open_session(args, "tokens create");
  nlohmann::json request = {{"name", *name}, {"scopes", scopes}};
  if (auto expires = args.value("--expires-in")) {
    request["expires_in"] = parse_count(*expires, "--expires-in", 1, 315'360'000);
  }
  nlohmann::json token = call_api(s.client, "POST", "/v1/tokens", "create a token", request);
  if (s.json) return print_json(token);
  print_secret(token);
  note_shown_once(token, "Created");
}

const std::vector<std::string> kTokenFields = {
    "token_id",     "name",       "scopes",     "status",       "created_at", "created_by",
    "last_used_at", "expires_at", "revoked_at", "rotated_from", "rotated_to"};

void show(const ParsedArgs& args) {
  if (args.positionals.size() != 1) throw CliError(kExitUsage, "one ID_OR_NAME is needed");
  ApiSession s = open_session(args, "tokens show");
  nlohmann::json token = resolve_token(s.client, args.positionals[0], "all");
  if (s.json) return print_json(token);
  print_fields(token, kTokenFields, stdout);
}

void revoke(const ParsedArgs& args) {
  if (args.positionals.size() != 1) throw CliError(kExitUsage, "one ID_OR_NAME is needed");
  ApiSession s = open_session(args, "tokens revoke");
  nlohmann::json token = resolve_token(s.client, args.positionals[0], "active");
  const std::string id = token.at("token_id");
  ApiAnswer answer = send_api(s.client, "DELETE", token_path(id));
  if (answer.status == 409) {
    throw CliError(kExitConflict,
                   "refused: " + answer.message() +
                       "\nRevoking it would lock everyone out of the admin API. Either mint "
                       "another admin token first:\n  fathom-auth tokens create --name NAME "
                       "--scope admin\nor replace this one in one step (the replacement is an "
                       "admin token too, so this one is then no longer the last):\n  "
                       "fathom-auth rotate " +
                       id);
  }
  if (answer.status < 200 || answer.status > 299) throw api_failure(answer, "revoke " + id);
  if (s.json) return print_json(answer.body);
  std::printf("Revoked %s \"%s\" at %s.\n", id.c_str(), cell(answer.body, "name").c_str(),
              cell(answer.body, "revoked_at").c_str());
}

void rotate(const ParsedArgs& args) {
  if (args.positionals.size() != 1) throw CliError(kExitUsage, "one ID_OR_NAME is needed");
  ApiSession s = open_session(args, "tokens rotate");
  nlohmann::json old = resolve_token(s.client, args.positionals[0], "active");
  const std::string id = old.at("token_id");
  nlohmann::json request = nlohmann::json::object();
  std::optional<long long> grace;
  if (auto g = args.value("--grace")) {
    grace = parse_count(*g, "--grace", 0, 2'592'000);
    request["grace_seconds"] = *grace;
  }
  nlohmann::json fresh =
      call_api(s.client, "POST", token_path(id) + "/rotate", "rotate " + id, request);
  if (s.json) return print_json(fresh);
  print_secret(fresh);
  note_shown_once(fresh, "Minted the replacement");
  if (grace) {
    std::fprintf(stderr, "%s expires in %lld s (or earlier, if it was due to).\n", id.c_str(),
                 *grace);
  } else {
    std::fprintf(stderr, "%s stays active until you revoke it: fathom-auth tokens revoke %s\n",
                 id.c_str(), id.c_str());
  }
}

}  // namespace

void print_token_table(const nlohmann::json& tokens) {
  Table table({"ID", "NAME", "SCOPES", "STATUS", "CREATED", "LAST USED", "EXPIRES"});
  for (const nlohmann::json& t : tokens) {
    table.add_row({cell(t, "token_id"), cell(t, "name"), cell(t, "scopes"), cell(t, "status"),
                   cell(t, "created_at"), cell(t, "last_used_at"), cell(t, "expires_at")});
  }
  table.print(stdout);
}

int run_tokens(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::fputs(kTokensHelp.c_str(), stderr);
    return kExitUsage;
  }
  const std::string& sub = args[0];
  if (sub == "--help" || sub == "-h" || sub == "help") return print_help(kTokensHelp);
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  const std::string command = "tokens " + sub;
  return run_command(command, [&]() -> int {
    struct Sub {
      std::string_view name;
      const std::string& help;
      std::vector<OptionSpec> options;
      void (*run)(const ParsedArgs&);
    };
    const Sub subs[] = {
        {"list", kListHelp, {{"--status", true, false}}, list},
        {"create",
         kCreateHelp,
         {{"--name", true, false}, {"--scope", true, true}, {"--expires-in", true, false}},
         create},
        {"show", kShowHelp, {}, show},
        {"revoke", kRevokeHelp, {}, revoke},
        {"rotate", kRotateHelp, {{"--grace", true, false}}, rotate},
    };
    for (const Sub& s : subs) {
      if (s.name != sub) continue;
      ParsedArgs parsed = parse_args(rest, with_api_options(s.options), command);
      if (parsed.help) return print_help(s.help);
      s.run(parsed);
      return kExitOk;
    }
    throw CliError(kExitUsage, "unknown command; see 'fathom-auth tokens --help'");
  });
}

}  // namespace fathom::cli
