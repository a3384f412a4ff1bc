// Backup and restore: an online backup, a revocation after it, and an offline restore of it must
// not bring the revoked token back (the revocation ledger outlives the store's contents); every
// other token of the backup works again, pending pair codes in it are never restored, and a
// restore while the daemon runs is refused without touching anything.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "integration/lifecycle/lifecycle_checks.h"
#include "support/binaries.h"
#include "support/child_process.h"
#include "support/http_client.h"
#include "support/temp_dir.h"
#include "support/token_api.h"

namespace fathom::test {
namespace {

using lifecycle::text_of;
using std::chrono::seconds;

RunResult run_cli(const std::vector<std::string>& args, const TempDir& scratch) {
  std::vector<std::string> argv{daemon_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_to_exit(argv, scratch.path(), seconds(60));
}

std::string describe(const RunResult& r) {
  return r.status.describe() + (r.timed_out ? " (timed out)" : "") + "\nstdout: " + r.out +
         "\nstderr: " + r.err;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// True if some line of `text` mentions "revoked" together with the number `n` on its own.
bool says_kept_revoked(const std::string& text, int n) {
  const std::regex number("(^|[^0-9])" + std::to_string(n) + "([^0-9]|$)");
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    std::string line =
        text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (lower(line).find("revoked") != std::string::npos && std::regex_search(line, number)) {
      return true;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

int stats_status(uint16_t port, const std::string& token) {
  return fetch(port, "GET", "/v1/stats", bearer(token)).status;
}

// token id -> status, for every token the store knows.
std::map<std::string, std::string> statuses(const TokenApi& admin) {
  ApiReply all = admin.list("all");
  EXPECT_EQ(all.status, 200) << all.describe();
  std::map<std::string, std::string> out;
  if (all.status != 200) return out;
  for (const nlohmann::json& t : all.body["tokens"]) out[t["token_id"]] = t["status"];
  return out;
}

// The daemon's config for a second start on the same state_dir, on a port chosen anew.
nlohmann::json restart_config(const DaemonProcess& daemon) {
  nlohmann::json config = daemon.config();
  config.erase("listen");
  return config;
}

TEST(LifecycleBackupRestore, ARevocationAfterTheBackupSurvivesItsRestore) {
  TokenProxy p;
  TokenApi admin = p.admin();
  ApiReply a = admin.mint("token-a", {"lake:read"});
  ApiReply b = admin.mint("token-b", {"lake:read"});
  ASSERT_EQ(a.status, 201) << a.describe();
  ASSERT_EQ(b.status, 201) << b.describe();
  const std::string a_id = a.body["token_id"], a_secret = a.body["token"];
  const std::string b_id = b.body["token_id"], b_secret = b.body["token"];
  ApiReply code = lifecycle::create_pair_code(admin, "pending-at-backup", {"lake:read"});
  ASSERT_EQ(code.status, 201) << code.describe();

  TempDir scratch;
  const std::string backup = scratch.file("fathom.backup");
  RunResult taken =
      run_cli({"backup", "--config", p.daemon.config_path(), "--out", backup}, scratch);
  ASSERT_TRUE(taken.status.success()) << "backup while the daemon runs: " << describe(taken);
  ASSERT_TRUE(std::filesystem::exists(backup)) << "backup reported success but wrote no " << backup;
  const std::string backup_bytes = read_file(backup);
  for (const std::string& secret :
       {a_secret, b_secret, p.admin_token, text_of(code.body, "code")}) {
    EXPECT_EQ(backup_bytes.find(secret), std::string::npos)
        << "a secret is in the backup in the clear";
  }

  // After the backup: A is revoked, C is minted.
  ASSERT_EQ(admin.revoke(a_id).status, 200);
  ASSERT_EQ(stats_status(p.port(), a_secret), 401);
  ApiReply c = admin.mint("token-c", {"lake:read"});
  ASSERT_EQ(c.status, 201) << c.describe();
  const std::string c_secret = c.body["token"];
  EXPECT_TRUE(std::filesystem::exists(state_dir_of(p.daemon) + "/revocation-ledger"))
      << "no revocation ledger beside the store after a revoke";

  // A restore while the daemon runs is refused and changes nothing.
  const std::map<std::string, std::string> before_refusal = statuses(admin);
  RunResult refused = run_cli({"restore", "--config", p.daemon.config_path(), backup}, scratch);
  EXPECT_FALSE(refused.status.success()) << "restore while the daemon runs: " << describe(refused);
  EXPECT_FALSE(refused.timed_out) << describe(refused);
  const std::string why = lower(refused.out + refused.err);
  EXPECT_TRUE(why.find("running") != std::string::npos || why.find("stop") != std::string::npos)
      << "the refusal does not say the daemon must be stopped: " << describe(refused);
  EXPECT_EQ(statuses(admin), before_refusal) << "a refused restore changed the tokens";
  EXPECT_EQ(stats_status(p.port(), c_secret), 200) << "a refused restore dropped a newer token";
  EXPECT_EQ(stats_status(p.port(), b_secret), 200);
  EXPECT_EQ(stats_status(p.port(), a_secret), 401);

  std::optional<ExitStatus> stopped = p.daemon.terminate();
  ASSERT_TRUE(stopped.has_value() && stopped->success())
      << "the daemon did not stop cleanly: " << (stopped ? stopped->describe() : "timed out");

  RunResult restored = run_cli({"restore", "--config", p.daemon.config_path(), backup}, scratch);
  ASSERT_TRUE(restored.status.success())
      << "restore with the daemon stopped: " << describe(restored);
  EXPECT_TRUE(says_kept_revoked(restored.out + restored.err, 1))
      << "the restore does not say it kept 1 token revoked: " << describe(restored);
  for (const std::string& secret : {a_secret, b_secret, p.admin_token}) {
    EXPECT_EQ((restored.out + restored.err).find(secret), std::string::npos)
        << "restore printed a secret";
  }

  DaemonProcess again(restart_config(p.daemon));
  TokenApi admin_again(again.port(), p.admin_token);
  ApiReply me = admin_again.me();
  EXPECT_EQ(me.status, 200) << "the bootstrap admin token after the restore: " << me.describe();
  EXPECT_EQ(stats_status(again.port(), a_secret), 401)
      << "the restore brought a revoked token back";
  EXPECT_EQ(stats_status(again.port(), b_secret), 200) << "a token of the backup does not work";
  EXPECT_EQ(stats_status(again.port(), c_secret), 401)
      << "a token minted after the backup survived its restore";

  ApiReply shown_a = admin_again.show(a_id);
  ASSERT_EQ(shown_a.status, 200) << shown_a.describe();
  EXPECT_EQ(text_of(shown_a.body, "status"), "revoked") << shown_a.describe();
  EXPECT_FALSE(text_of(shown_a.body, "revoked_at").empty()) << shown_a.describe();
  ApiReply shown_b = admin_again.show(b_id);
  ASSERT_EQ(shown_b.status, 200) << shown_b.describe();
  EXPECT_EQ(text_of(shown_b.body, "status"), "active") << shown_b.describe();

  // The code pending at backup time does not come back.
  ApiReply codes = admin_again.call("GET", "/v1/pair-codes");
  ASSERT_EQ(codes.status, 200) << codes.describe();
  EXPECT_TRUE(lifecycle::pending_code_ids(codes).empty())
      << "a pair code came back from the backup: " << codes.describe();
  lifecycle::expect_invalid_grant(lifecycle::redeem(again.port(), text_of(code.body, "code")),
                                  "a pair code pending at backup time, after the restore");
}

TEST(LifecycleBackupRestore, BadArgumentsAreRefusedClearly) {
  TokenProxy p;
  TempDir scratch;
  // No --out; a backup file that does not exist; not a backup at all.
  RunResult no_out = run_cli({"backup", "--config", p.daemon.config_path()}, scratch);
  EXPECT_FALSE(no_out.status.success()) << describe(no_out);
  EXPECT_NE(no_out.err.find("--out"), std::string::npos) << describe(no_out);

  ASSERT_TRUE(p.daemon.terminate().has_value());
  RunResult missing = run_cli(
      {"restore", "--config", p.daemon.config_path(), scratch.file("nothing-here")}, scratch);
  EXPECT_FALSE(missing.status.success()) << describe(missing);
  EXPECT_NE(missing.err.find("nothing-here"), std::string::npos)
      << "the message does not name the missing file: " << describe(missing);

  const std::string junk = scratch.file("junk.backup");
  write_file(junk, "this is not a backup\n");
  RunResult bad = run_cli({"restore", "--config", p.daemon.config_path(), junk}, scratch);
  EXPECT_FALSE(bad.status.success()) << describe(bad);
  EXPECT_FALSE(bad.err.empty()) << describe(bad);

  // Neither refusal touched the store: the daemon comes back with its admin token.
  DaemonProcess again(restart_config(p.daemon));
  EXPECT_EQ(TokenApi(again.port(), p.admin_token).me().status, 200);
}

}  // namespace
}  // namespace fathom::test
