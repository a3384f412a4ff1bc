// The operator's way back in, and the bootstrap-token file's end: `fathom-auth bootstrap --force`
// with the daemon stopped mints an admin token whatever is active and records it in the audit
// (refusing, and saying why, while the daemon runs); <state_dir>/bootstrap-token goes, with a log
// line, once its token is revoked or rotated away.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>

#include "integration/tokens/token_checks.h"
#include "support/binaries.h"
#include "support/child_process.h"
#include "support/temp_dir.h"
#include "support/token_api.h"

namespace fathom::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

nlohmann::json config_in(const LakeProcess& lake, const TempDir& state) {
  nlohmann::json config = token_config(lake.port());
  config["state_dir"] = state.path();
  return config;
}

RunResult run_bootstrap(const std::string& config_path, const TempDir& scratch, bool force) {
  std::vector<std::string> argv = {daemon_binary(), "bootstrap", "--config", config_path};
  if (force) argv.push_back("--force");
  return run_to_exit(argv, scratch.path(), seconds(30));
}

std::vector<std::string> tokens_in(const std::string& text) {
  static const std::regex shape("fth_[0-9A-Za-z]{38}");
  std::vector<std::string> found;
  for (std::sregex_iterator it(text.begin(), text.end(), shape), end; it != end; ++it) {
    found.push_back(it->str());
  }
  return found;
}

std::string describe(const RunResult& r) {
  return r.status.describe() + "\nstdout: " + r.out + "\nstderr: " + r.err;
}

// Polls for the file to be gone: it goes before the write is acknowledged, the bound only keeps
// a broken daemon from hanging the test.
bool gone_within(const std::string& path, milliseconds bound) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  while (std::filesystem::exists(path)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

TEST(TokensBootstrap, ForceMintsAnAdminWithTheDaemonStoppedAndTheAuditSaysSo) {
  TempDir state;
  TempDir scratch;
  LakeProcess lake;
  std::string config_path;
  std::string first;
  std::string thief_id;
  {
    DaemonProcess daemon(config_in(lake, state));
    config_path = write_config(scratch, daemon.config(), "bootstrap-config.json");
    first = read_bootstrap_token(state.path());
    ApiReply thief = TokenApi(daemon.port(), first).mint("stolen", {"admin"});
    ASSERT_EQ(thief.status, 201) << thief.describe();
    thief_id = thief.body["token_id"];

    // While the daemon runs: refused, saying so, and nothing minted.
    RunResult running = run_bootstrap(config_path, scratch, true);
    EXPECT_TRUE(running.status.exited && running.status.code == 1) << describe(running);
    EXPECT_NE(running.err.find("daemon is running"), std::string::npos) << describe(running);
    EXPECT_TRUE(tokens_in(running.out + running.err).empty()) << describe(running);
    ApiReply all = TokenApi(daemon.port(), first).list("all");
    EXPECT_EQ(all.body["tokens"].size(), 2u) << all.describe();
    ASSERT_TRUE(daemon.terminate().has_value());
  }

  // Stopped, without --force: refused while a lasting admin is active, pointing at --force.
  RunResult plain = run_bootstrap(config_path, scratch, false);
  EXPECT_TRUE(plain.status.exited && plain.status.code == 1) << describe(plain);
  EXPECT_NE(plain.err.find("--force"), std::string::npos) << describe(plain);
  EXPECT_TRUE(tokens_in(plain.out + plain.err).empty()) << describe(plain);

  RunResult forced = run_bootstrap(config_path, scratch, true);
  ASSERT_TRUE(forced.status.success()) << describe(forced);
  std::vector<std::string> printed = tokens_in(forced.out);
  ASSERT_EQ(printed.size(), 1u) << describe(forced);
  EXPECT_TRUE(tokens::well_formed_token(printed[0]));
  EXPECT_EQ(forced.err.find(printed[0]), std::string::npos) << "the token went to stderr too";

  DaemonProcess daemon(config_in(lake, state));
  TokenApi recovered(daemon.port(), printed[0]);
  ApiReply me = recovered.me();
  ASSERT_EQ(me.status, 200) << me.describe();
  EXPECT_EQ(me.body["scopes"], nlohmann::json({"admin"}));
  const std::string recovered_id = me.body["token_id"];
  // The audit records the forced bootstrap, naming the admins active then.
  ApiReply audit = recovered.call("GET", "/v1/audit?token_id=" + recovered_id);
  ASSERT_EQ(audit.status, 200) << audit.describe();
  std::string detail;
  for (const nlohmann::json& e : audit.body["events"]) {
    if (e.value("kind", "") == "token.created") detail = e.value("detail", "");
  }
  EXPECT_NE(detail.find("forced bootstrap"), std::string::npos) << audit.describe();
  EXPECT_NE(detail.find(thief_id), std::string::npos) << audit.describe();
  EXPECT_EQ(audit.response.body.find(printed[0].substr(4, 32)), std::string::npos);
  // Nothing else was revoked; the operator now ends what it no longer trusts.
  EXPECT_EQ(recovered.revoke(thief_id).status, 200);
  EXPECT_EQ(daemon.stderr_text().find(printed[0].substr(4, 32)), std::string::npos);
}

TEST(TokensBootstrap, TheFileGoesWhenItsTokenIsRevoked) {
  TokenProxy p;
  const std::string state = state_dir_of(p.daemon);
  const std::string path = state + "/bootstrap-token";
  ASSERT_TRUE(std::filesystem::exists(path));
  TokenApi admin = p.admin();
  const std::string id = admin.me().body["token_id"];
  ApiReply ops = admin.mint("ops", {"admin"});
  ASSERT_EQ(ops.status, 201) << ops.describe();
  // Another token's revocation leaves it.
  ApiReply other = admin.mint("other", {"lake:read"});
  ASSERT_EQ(admin.revoke(other.body["token_id"].get<std::string>()).status, 200);
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_TRUE(std::filesystem::exists(path)) << "removed for another token's revocation";

  ASSERT_EQ(p.as(ops.body["token"].get<std::string>()).revoke(id).status, 200);
  EXPECT_TRUE(gone_within(path, milliseconds(2000))) << path << " is still there";
  EXPECT_TRUE(p.daemon.wait_for_stderr("bootstrap_token_file_removed", milliseconds(2000)))
      << p.daemon.stderr_text();
  EXPECT_EQ(p.daemon.stderr_text().find(p.admin_token.substr(4, 32)), std::string::npos)
      << "the token is in the log";
}

TEST(TokensBootstrap, TheFileGoesWhenItsTokenIsRotatedAwayEvenWithoutAGrace) {
  TokenProxy p;
  const std::string path = state_dir_of(p.daemon) + "/bootstrap-token";
  ASSERT_TRUE(std::filesystem::exists(path));
  TokenApi admin = p.admin();
  const std::string id = admin.me().body["token_id"];
  ApiReply rotated = admin.rotate(id);
  ASSERT_EQ(rotated.status, 201) << rotated.describe();
  // At the rotation: the old token still works (no grace: until revoked), the file is gone.
  EXPECT_TRUE(gone_within(path, milliseconds(2000))) << path << " is still there";
  EXPECT_EQ(admin.me().status, 200);
  EXPECT_TRUE(p.daemon.wait_for_stderr("bootstrap_token_file_removed", milliseconds(2000)));
  EXPECT_EQ(p.daemon.stderr_text().find(p.admin_token.substr(4, 32)), std::string::npos);
}

}  // namespace
}  // namespace fathom::test
