#include "cli/audit_commands.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <set>
#include <string_view>

#include "cli/api_session.h"
#include "cli/audit_verify_command.h"
#include "cli/cli_error.h"
#include "cli/command_runner.h"
#include "cli/exit_codes.h"
#include "cli/help_common.h"
#include "cli/table.h"
#include "cli/token_lookup.h"

namespace fathom::cli {

namespace {

const std::string kAuditHelp =
    std::string(
        "usage: fathom-auth audit [--token ID_OR_NAME] [--since T] [--until T] [--limit N] "
        "[--all]\n"
        "       fathom-auth audit verify --config FILE\n"
        "\n"
        "Shows the audit trail, newest first (the caller needs audit:read): requests, failed\n"
        "authentications and every change to tokens and pair codes.\n"
        "\n"
        "  --token ID_OR_NAME   only the events of that token, by id or name, never the secret\n"
        "                       (a name must match exactly one token, of any status: a\n"
        "                       revoked token's events stay queryable)\n"
        "  --since T, --until T from T (inclusive) / before T (exclusive); T is an RFC 3339 time\n"
        "                       (2026-11-26T21:43:00Z) or a span back from now: 90s, 15m, 2h, 7d\n"
        "  --limit N            events per page, 1 to 1000 (default 100)\n"
        "  --all                follow next_cursor to the end (with --json: one document holding\n"
        "                       every event)\n"
        "\n"
        "'audit verify --config FILE' checks the audit files under <state_dir>/audit offline "
        "(hash\n"
        "chain intact): prints \"audit ok: N events\" and exits 0, or names the first broken link\n"
        "and exits 1.\n\n") +
    kApiOptionsHelp + "\n" + kExitCodesHelp;

// An RFC 3339 time passed on as it is, or "15m"-style spans turned into the time that long ago.
std::string time_bound(std::string_view text, std::string_view option) {
  if (text.empty()) throw CliError(kExitUsage, std::string(option) + ": empty");
  char unit = text.back();
  long long scale = unit == 's'   ? 1
                    : unit == 'm' ? 60
                    : unit == 'h' ? 3600
                    : unit == 'd' ? 86400
                                  : 0;
  if (scale == 0 || text.size() < 2 ||
      text.substr(0, text.size() - 1).find_first_not_of("0123456789") != std::string_view::npos) {
    return std::string(text);  // the daemon checks the time and names the parameter if it is bad
  }
  long long span = parse_count(text.substr(0, text.size() - 1), option, 0, 3650LL * 86400) * scale;
  std::time_t at = std::time(nullptr) - static_cast<std::time_t>(span);
  std::tm tm{};
  gmtime_r(&at, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string request_cell(const nlohmann::json& e) {
  std::string method = cell(e, "method");
  std::string path = cell(e, "path");
  if (method == "-" && path == "-") return cell(e, "detail");
  return method + " " + path;
}

void list(const ParsedArgs& args) {
  if (!args.positionals.empty()) {
    throw CliError(kExitUsage, "unexpected argument; see 'fathom-auth audit --help'");
  }
  ApiSession s = open_session(args, "audit");
  std::string query;
  auto add = [&](std::string_view key, const std::string& value) {
    query += (query.empty() ? "?" : "&") + std::string(key) + "=" + query_escape(value);
  };
  if (auto token = args.value("--token")) {
    if (token->starts_with("fth_")) {
      throw CliError(kExitUsage,
                     "--token takes a token's id (tok_...) or name, not the token itself: a "
                     "secret on the command line is readable by every local user. Revoke that "
                     "token if others can read this machine's process list or shell history.");
    }
    add("token_id", resolve_token(s.client, *token, "all").at("token_id").get<std::string>());
  }
  if (auto since = args.value("--since")) add("since", time_bound(*since, "--since"));
  if (auto until = args.value("--until")) add("until", time_bound(*until, "--until"));
  if (auto limit = args.value("--limit")) {
    add("limit", std::to_string(parse_count(*limit, "--limit", 1, 1000)));
  }
  const bool all = args.has("--all");

  nlohmann::json events = nlohmann::json::array();
  std::string cursor;
  std::set<std::string> seen;  // a cursor that comes back would loop for ever
  for (;;) {
    std::string path = "/v1/audit" + query;
    if (!cursor.empty()) {
      path += (query.empty() ? "?" : "&") + std::string("cursor=") + query_escape(cursor);
    }
    nlohmann::json page = call_api(s.client, "GET", path, "read the audit");
    if (!all && s.json) return print_json(page);
    for (nlohmann::json& e : page.value("events", nlohmann::json::array())) {
      events.push_back(std::move(e));
    }
    const nlohmann::json next = page.value("next_cursor", nlohmann::json());
    cursor = next.is_string() ? next.get<std::string>() : std::string();
    if (cursor.empty() || !all) break;
    if (!seen.insert(cursor).second) {
      throw CliError(kExitUnreachable, "the daemon returned the same audit cursor twice");
    }
  }
  if (s.json) return print_json({{"events", events}, {"next_cursor", nullptr}});
  Table table({"TIME", "KIND", "TOKEN", "REQUEST", "STATUS", "CLIENT"});
  for (const nlohmann::json& e : events) {
    std::string status = cell(e, "status");
    table.add_row({cell(e, "time"), cell(e, "kind"), cell(e, "token_id"), request_cell(e),
                   status == "0" ? "-" : status, cell(e, "client")});
  }
  table.print(stdout);
  if (!cursor.empty()) {
    std::fprintf(stderr, "(older events exist: add --all to see them all)\n");
  }
}

}  // namespace

int run_audit(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "verify") {
    return run_audit_verify(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  return run_command("audit", [&]() -> int {
    ParsedArgs parsed = parse_args(args,
                                   with_api_options({{"--token", true, false},
                                                     {"--since", true, false},
                                                     {"--until", true, false},
                                                     {"--limit", true, false},
                                                     {"--all", false, false}}),
                                   "audit");
    if (parsed.help) return print_help(kAuditHelp);
    list(parsed);
    return kExitOk;
  });
}

}  // namespace fathom::cli
