#include "cli/rotate_command.h"

#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include "cli/api_session.h"
#include "cli/cli_error.h"
#include "cli/command_runner.h"
#include "cli/exit_codes.h"
#include "cli/help_common.h"
#include "cli/secret_file.h"
#include "cli/table.h"
#include "cli/token_lookup.h"

namespace fathom::cli {

namespace {

constexpr std::chrono::seconds kPollEvery{2};

const std::string kRotateHelp =
    std::string(
        "usage: fathom-auth rotate NAME_OR_ID [--verify] [--grace SECONDS] [--wait SECONDS]\n"
        "                          [--out FILE]\n"
        "\n"
        "Replaces a token in one step:\n"
        "  1. mints the replacement, with the same name and scopes (the old one stays active);\n"
        "  2. prints it once, on stdout: give it to the client now (with --out FILE it is\n"
        "     written to FILE instead, mode 0600, replacing the file atomically: for a client\n"
        "     that reads its token from a file, and for rotation from a systemd timer);\n"
        "  3. confirms it: with --verify, GET /v1/stats with the new token must succeed; "
        "otherwise\n"
        "     waits (polling every 2 s, at most --wait SECONDS, default 600) until the daemon has\n"
        "     seen the new token used. Rotating the admin token you are using confirms it with\n"
        "     GET /v1/auth/me;\n"
        "  4. revokes the old token.\n"
        "With --grace SECONDS the old token is not revoked: it expires after the grace instead "
        "(no\n"
        "waiting; --verify still checks the new one).\n"
        "\n"
        "If the replacement is not confirmed (exit code 7), both tokens stay active and the "
        "message\n"
        "says how to finish by hand. The last admin token is never revoked: its replacement is an\n"
        "admin token too, so rotating it is safe; 'tokens revoke' of the last admin is refused.\n"
        "\n"
        "Output: the new token alone on stdout, progress on stderr. With --json, one JSON object "
        "a\n"
        "line as each step completes: {\"step\":\"minted\",\"token\":{...}}, then \"confirmed\",\n"
        "then \"revoked\" (or \"grace\").\n\n") +
    kApiOptionsHelp + "\n" + kExitCodesHelp;

struct Plan {
  bool verify = false;
  std::optional<std::string> out;
  std::optional<long long> grace;
  std::chrono::seconds wait{600};
};

void emit_step(const ApiSession& s, const nlohmann::json& step) {
  if (!s.json) return;
  std::string line = step.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

void progress(const std::string& text) {
  std::fprintf(stderr, "%s\n", text.c_str());
  std::fflush(stderr);
}

std::string both_active(const std::string& old_id, const std::string& new_id) {
  return "Both tokens are still active. Once the client works with the new token, finish "
         "with:\n  fathom-auth tokens revoke " +
         old_id + "\nor, to drop the replacement instead:\n  fathom-auth tokens revoke " + new_id;
}

// Step 3 for the admin token the CLI itself is using: the new token proves itself on the admin
// API, where it certainly holds a scope.
void confirm_self(const ApiSession& s, const std::string& secret, const std::string& old_id,
                  const std::string& new_id) {
  ApiAnswer me = send_api(s.client.with_bearer(secret), "GET", "/v1/auth/me");
  if (me.status != 200 || me.body.value("token_id", "") != new_id) {
    throw CliError(kExitUnconfirmed, "the new token was refused on GET /v1/auth/me (" +
                                         std::to_string(me.status) + " " + me.error() + "). " +
                                         both_active(old_id, new_id));
  }
}

void confirm_by_stats(const ApiSession& s, const std::string& secret, const std::string& old_id,
                      const std::string& new_id, bool grace) {
  ApiAnswer stats = send_api(s.client.with_bearer(secret), "GET", "/v1/stats");
  if (stats.status >= 200 && stats.status < 300) return;
  std::string why = "GET /v1/stats with the new token answered " + std::to_string(stats.status);
  if (!stats.error().empty()) why += " " + stats.error();
  if (!stats.message().empty()) why += ": " + stats.message();
  throw CliError(kExitUnconfirmed,
                 why + ". " +
                     (grace ? "The old token " + old_id +
                                  " still expires after the grace; revoke the replacement "
                                  "if it is not wanted: fathom-auth tokens revoke " +
                                  new_id
                            : both_active(old_id, new_id)));
}

// Polls the new token's record until the daemon has seen it used.
nlohmann::json wait_for_use(const ApiSession& s, const std::string& old_id,
                            const std::string& new_id, std::chrono::seconds limit) {
  progress("Waiting up to " + std::to_string(limit.count()) + " s for " + new_id +
           " to be used: point the client at the new token now. (Interrupting leaves "
           "both tokens active.)");
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    nlohmann::json record = call_api(s.client, "GET", token_path(new_id), "check " + new_id);
    if (record.contains("last_used_at") && record["last_used_at"].is_string()) return record;
    if (std::chrono::steady_clock::now() + kPollEvery > deadline) break;
    std::this_thread::sleep_for(kPollEvery);
  }
  throw CliError(kExitUnconfirmed, new_id + " was not used within " +
                                       std::to_string(limit.count()) + " s. " +
                                       both_active(old_id, new_id) +
                                       "\n(or run 'fathom-auth rotate' again with a longer --wait "
                                       "after revoking the replacement)");
}

// Step 2 with --out. Should the file not take the secret, nobody has it: the replacement is
// revoked again and the old token goes on working.
void deliver_to_file(const ApiSession& s, SecretFile& out, nlohmann::json fresh,
                     const std::string& old_id) {
  const std::string new_id = fresh.at("token_id");
  try {
    out.commit(fresh.at("token"));
  } catch (const CliError& e) {
    ApiAnswer undo = send_api(s.client, "DELETE", token_path(new_id));
    throw CliError(
        e.exit_code(),
        std::string(e.what()) + ". " +
            (undo.status >= 200 && undo.status < 300
                 ? "The replacement " + new_id + " was revoked again; " + old_id + " is unchanged."
                 : "The replacement " + new_id + " could not be revoked (" +
                       std::to_string(undo.status) + "): revoke it by hand; " + old_id +
                       " is unchanged."));
  }
  fresh.erase("token");
  fresh["written_to"] = out.path();
  if (s.json) {
    emit_step(s, {{"step", "minted"}, {"token", fresh}});
  } else {
    progress("Minted " + new_id + " \"" + cell(fresh, "name") + "\" (scopes " +
             cell(fresh, "scopes") + ") to replace " + old_id + "; the token is in " + out.path() +
             ".");
  }
}

void rotate(const ParsedArgs& args, const Plan& plan) {
  ApiSession s = open_session(args, "rotate");
  nlohmann::json old = resolve_token(s.client, args.positionals[0], "active");
  const std::string old_id = old.at("token_id");
  nlohmann::json me = call_api(s.client, "GET", "/v1/auth/me", "identify the admin token");
  const bool self = me.value("token_id", "") == old_id;

  // Before anything changes: a file we cannot write fails the command with nothing minted.
  std::optional<SecretFile> out;
  if (plan.out) out.emplace(*plan.out);

  nlohmann::json request = nlohmann::json::object();
  if (plan.grace) request["grace_seconds"] = *plan.grace;
  nlohmann::json fresh =
      call_api(s.client, "POST", token_path(old_id) + "/rotate", "rotate " + old_id, request);
  const std::string new_id = fresh.at("token_id");
  const std::string secret = fresh.at("token");

  // Step 2: the secret, before anything else can fail: from here on it exists and is active.
  if (out) {
    deliver_to_file(s, *out, fresh, old_id);
  } else if (s.json) {
    emit_step(s, {{"step", "minted"}, {"token", fresh}});
  } else {
    std::printf("%s\n", secret.c_str());
    std::fflush(stdout);
    progress("Minted " + new_id + " \"" + cell(fresh, "name") + "\" (scopes " +
             cell(fresh, "scopes") + ") to replace " + old_id +
             ". This token is shown only this once: store it now.");
  }

  // Step 3.
  std::string confirmed_by;
  if (self) {
    confirm_self(s, secret, old_id, new_id);
    confirmed_by = "auth_me";
  } else if (plan.verify) {
    confirm_by_stats(s, secret, old_id, new_id, plan.grace.has_value());
    confirmed_by = "stats";
  } else if (!plan.grace) {
    wait_for_use(s, old_id, new_id, plan.wait);
    confirmed_by = "used";
  }
  if (!confirmed_by.empty()) {
    emit_step(s, {{"step", "confirmed"}, {"token_id", new_id}, {"by", confirmed_by}});
    if (!s.json) {
      progress(new_id + (confirmed_by == "used" ? " has been used." : " works."));
    }
  }

  // Step 4.
  if (plan.grace) {
    emit_step(s, {{"step", "grace"}, {"token_id", old_id}, {"expires_in", *plan.grace}});
    if (!s.json) {
      progress(old_id + " expires in " + std::to_string(*plan.grace) +
               " s (or sooner, if it was due to); it was not revoked.");
    }
  } else {
    // The admin token revoking itself revokes with its successor, already proven to work.
    const AdminClient revoker = self ? s.client.with_bearer(secret) : s.client;
    ApiAnswer revoked = send_api(revoker, "DELETE", token_path(old_id));
    if (revoked.status == 409) {
      throw CliError(kExitConflict, "revoking " + old_id + " was refused: " + revoked.message() +
                                        "\n" + both_active(old_id, new_id));
    }
    if (revoked.status < 200 || revoked.status > 299) {
      CliError e = api_failure(revoked, "revoke " + old_id);
      throw CliError(e.exit_code(), std::string(e.what()) + "\n" + both_active(old_id, new_id));
    }
    emit_step(s, {{"step", "revoked"}, {"token", revoked.body}});
    if (!s.json) progress("Revoked " + old_id + ".");
  }
  if (self && !s.json && !out) {
    progress(
        "That was the admin token this command used: put the new one where "
        "FATHOM_ADMIN_TOKEN or your --token-file gets it" +
        std::string(plan.grace ? "." : "; the old one no longer works."));
  }
}

}  // namespace

int run_rotate(const std::vector<std::string>& args) {
  return run_command("rotate", [&]() -> int {
    ParsedArgs parsed = parse_args(args,
                                   with_api_options({{"--verify", false, false},
                                                     {"--grace", true, false},
                                                     {"--wait", true, false},
                                                     {"--out", true, false}}),
                                   "rotate");
    if (parsed.help) return print_help(kRotateHelp);
    if (parsed.positionals.size() != 1) throw CliError(kExitUsage, "one NAME_OR_ID is needed");
    Plan plan;
    plan.verify = parsed.has("--verify");
    if (auto o = parsed.value("--out")) plan.out = *o;
    if (auto g = parsed.value("--grace")) plan.grace = parse_count(*g, "--grace", 0, 2'592'000);
    if (auto w = parsed.value("--wait")) {
      if (plan.grace) {
        throw CliError(kExitUsage,
                       "--wait and --grace do not go together: with a grace the old "
                       "token keeps working, so there is nothing to wait for");
      }
      plan.wait = std::chrono::seconds(parse_count(*w, "--wait", 1, 86'400));
    }
    rotate(parsed, plan);
    return kExitOk;
  });
}

}  // namespace fathom::cli
