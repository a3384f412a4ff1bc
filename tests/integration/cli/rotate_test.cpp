// `fathom-auth rotate`: the whole replacement of a token in one command, confirmed by
// GET /v1/stats (--verify) or by waiting until the client uses the new token, with a grace, on
// the admin token itself, and the ways it stops and leaves both tokens active.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "integration/cli/cli_fixture.h"
#include "integration/tokens/token_checks.h"

namespace fathom::test::cli {
namespace {

using std::chrono::seconds;
using tokens::expect_invalid_token;
using tokens::get_stats;
using tokens::well_formed_token;

using CliRotate = CliTest;

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

TEST_F(CliRotate, VerifyMintsConfirmsWithStatsThenRevokesTheOld) {
  nlohmann::json old = mint("claude-code-laptop", {"lake:read", "lake:write"});
  const std::string old_id = old["token_id"];
  CliResult r = run({"rotate", "claude-code-laptop", "--verify"});
  ASSERT_EQ(r.code(), kOk) << r.describe();
  const std::string fresh = first_line(r.out);
  ASSERT_TRUE(well_formed_token(fresh)) << r.describe();
  EXPECT_EQ(r.out, fresh + "\n") << "stdout must hold the new token alone";
  EXPECT_FALSE(contains(r.err, fresh)) << "the progress lines repeat the secret";

  expect_invalid_token(get_stats(proxy.port(), old["token"].get<std::string>()), true);
  EXPECT_EQ(get_stats(proxy.port(), fresh).status, 200);
  ApiReply me = proxy.as(fresh).me();
  ASSERT_EQ(me.status, 200) << me.describe();
  EXPECT_EQ(me.body["name"], "claude-code-laptop");
  EXPECT_EQ(me.body["scopes"], old["scopes"]);
  EXPECT_EQ(me.body["rotated_from"], old_id);
  EXPECT_EQ(proxy.admin().show(old_id).body["status"], "revoked");
}

TEST_F(CliRotate, WaitsUntilTheClientUsesTheNewTokenThenRevokes) {
  nlohmann::json old = mint("build-agent", {"lake:read"});
  const std::string old_id = old["token_id"];
  CliProcess cli({"rotate", old_id, "--wait", "120"}, env(), scratch);
  // The token appears on stdout before the CLI starts waiting: the "client" picks it up.
  std::optional<std::string> fresh = cli.wait_for_first_line(seconds(30));
  ASSERT_TRUE(fresh.has_value()) << cli.finish(seconds(1)).describe();
  ASSERT_TRUE(well_formed_token(*fresh)) << *fresh;
  // Still both active while the CLI waits for the first use.
  EXPECT_EQ(get_stats(proxy.port(), old["token"].get<std::string>()).status, 200);
  EXPECT_EQ(get_stats(proxy.port(), *fresh).status, 200);

  CliResult r = cli.finish(seconds(60));
  ASSERT_EQ(r.code(), kOk) << r.describe();
  EXPECT_TRUE(contains(r.err, "has been used")) << r.describe();
  expect_invalid_token(get_stats(proxy.port(), old["token"].get<std::string>()), true);
  EXPECT_EQ(get_stats(proxy.port(), *fresh).status, 200);
}

TEST_F(CliRotate, NotUsedWithinTheWaitLeavesBothActiveAndSaysHowToFinish) {
  nlohmann::json old = mint("idle-client", {"lake:read"});
  const std::string old_id = old["token_id"];
  CliResult r = run({"rotate", "idle-client", "--wait", "1"});
  EXPECT_EQ(r.code(), kUnconfirmed) << r.describe();
  const std::string fresh = first_line(r.out);
  ASSERT_TRUE(well_formed_token(fresh)) << r.describe();
  EXPECT_TRUE(contains(r.err, "fathom-auth tokens revoke " + old_id)) << r.describe();
  EXPECT_EQ(get_stats(proxy.port(), old["token"].get<std::string>()).status, 200);
  EXPECT_EQ(get_stats(proxy.port(), fresh).status, 200);
}

TEST_F(CliRotate, AFailedVerifyLeavesBothActive) {
  // /v1/stats needs lake:read, which this token does not hold: the replacement cannot pass.
  nlohmann::json old = mint("auditor", {"audit:read"});
  CliResult r = run({"rotate", "auditor", "--verify"});
  EXPECT_EQ(r.code(), kUnconfirmed) << r.describe();
  EXPECT_TRUE(contains(r.err, "403")) << r.describe();
  EXPECT_TRUE(contains(r.err, "Both tokens are still active")) << r.describe();
  EXPECT_EQ(proxy.admin().show(old["token_id"].get<std::string>()).body["status"], "active");
}

TEST_F(CliRotate, GraceLeavesTheOldTokenToExpire) {
  nlohmann::json old = mint("tablet", {"lake:read"});
  const std::string old_id = old["token_id"];
  CliResult r = run({"rotate", "tablet", "--grace", "3600", "--verify"});
  ASSERT_EQ(r.code(), kOk) << r.describe();
  const std::string fresh = first_line(r.out);
  EXPECT_EQ(get_stats(proxy.port(), fresh).status, 200);
  EXPECT_EQ(get_stats(proxy.port(), old["token"].get<std::string>()).status, 200)
      << "the old token must keep working during the grace";
  ApiReply shown = proxy.admin().show(old_id);
  EXPECT_EQ(shown.body["status"], "active") << shown.describe();
  EXPECT_TRUE(shown.body["expires_at"].is_string()) << shown.describe();
  EXPECT_TRUE(shown.body["revoked_at"].is_null()) << shown.describe();
  // --grace and --wait contradict each other.
  EXPECT_EQ(run({"rotate", "tablet", "--grace", "60", "--wait", "60"}).code(), kUsage);
}

TEST_F(CliRotate, RotatingTheLastAdminTokenItselfWorksAndSaysToUpdateIt) {
  const std::string old_admin = proxy.admin_token;
  const std::string old_id = proxy.admin().me().body["token_id"];
  CliResult r = run({"rotate", "bootstrap-admin"});
  ASSERT_EQ(r.code(), kOk) << r.describe();
  const std::string fresh = first_line(r.out);
  ASSERT_TRUE(well_formed_token(fresh)) << r.describe();
  EXPECT_TRUE(contains(r.err, "FATHOM_ADMIN_TOKEN")) << r.describe();
  // The replacement is the admin now; the old one is gone.
  ApiReply me = proxy.as(fresh).me();
  ASSERT_EQ(me.status, 200) << me.describe();
  EXPECT_EQ(me.body["scopes"], nlohmann::json::array({"admin"}));
  EXPECT_EQ(proxy.as(old_admin).me().status, 401);
  EXPECT_EQ(proxy.as(fresh).show(old_id).body["status"], "revoked");
}

TEST_F(CliRotate, JsonPrintsOneObjectPerStep) {
  mint("script-client", {"lake:read"});
  CliResult r = run({"rotate", "script-client", "--verify", "--json"});
  ASSERT_EQ(r.code(), kOk) << r.describe();
  std::vector<nlohmann::json> steps;
  for (size_t at = 0, nl; (nl = r.out.find('\n', at)) != std::string::npos; at = nl + 1) {
    steps.push_back(nlohmann::json::parse(r.out.substr(at, nl - at), nullptr, false));
  }
  ASSERT_EQ(steps.size(), 3u) << r.out;
  EXPECT_EQ(steps[0]["step"], "minted");
  EXPECT_TRUE(well_formed_token(steps[0]["token"].value("token", ""))) << steps[0];
  EXPECT_EQ(steps[1]["step"], "confirmed");
  EXPECT_EQ(steps[1]["by"], "stats");
  EXPECT_EQ(steps[2]["step"], "revoked");
  EXPECT_EQ(steps[2]["token"]["status"], "revoked");
}

TEST_F(CliRotate, ARevokedOrUnknownTokenIsNotRotated) {
  nlohmann::json gone = mint("gone", {"lake:read"});
  ASSERT_EQ(proxy.admin().revoke(gone["token_id"].get<std::string>()).status, 200);
  CliResult by_name = run({"rotate", "gone", "--verify"});
  EXPECT_EQ(by_name.code(), kNotFound) << by_name.describe();  // no *active* token has the name
  CliResult by_id = run({"rotate", gone["token_id"].get<std::string>(), "--verify"});
  EXPECT_EQ(by_id.code(), kConflict) << by_id.describe();
  EXPECT_TRUE(by_id.out.empty()) << "nothing was minted, so nothing may be printed";
}

// What a systemd timer runs: the secret goes to the client's token file (0600, replaced whole),
// never to stdout, which the journal would keep.
TEST_F(CliRotate, OutWritesTheNewTokenToAPrivateFileAndNothingSecretToStdout) {
  nlohmann::json old = mint("nightly-agent", {"lake:read"});
  const std::string file = scratch.file("agent-token");
  write_file(file, old["token"].get<std::string>() + "\n");
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);  // the client's group (and, wrongly, others) read it
  CliResult r = run({"rotate", "nightly-agent", "--out", file, "--grace", "60"});
  ASSERT_EQ(r.code(), kOk) << r.describe();
  const std::string fresh = first_line(read_file(file));
  ASSERT_TRUE(well_formed_token(fresh)) << r.describe();
  EXPECT_NE(fresh, old["token"].get<std::string>());
  EXPECT_EQ(read_file(file), fresh + "\n");
  EXPECT_TRUE(r.out.empty()) << r.describe();
  EXPECT_FALSE(contains(r.err, fresh)) << r.describe();
  EXPECT_TRUE(contains(r.err, file)) << r.describe();
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u) << "the owner's and group's access stay, others' goes";
  EXPECT_EQ(get_stats(proxy.port(), fresh).status, 200);
  // --grace: the old token still works until it expires.
  EXPECT_EQ(get_stats(proxy.port(), old["token"].get<std::string>()).status, 200);
}

TEST_F(CliRotate, OutJsonStepsNeverCarryTheSecret) {
  nlohmann::json old = mint("json-agent", {"lake:read"});
  const std::string file = scratch.file("json-agent-token");
  CliResult r = run({"rotate", "json-agent", "--out", file, "--verify", "--json"});
  ASSERT_EQ(r.code(), kOk) << r.describe();
  const std::string fresh = first_line(read_file(file));
  ASSERT_TRUE(well_formed_token(fresh)) << r.describe();
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "a new file is the owner's alone";
  EXPECT_FALSE(contains(r.out, fresh)) << r.describe();
  nlohmann::json minted = nlohmann::json::parse(first_line(r.out), nullptr, false);
  ASSERT_FALSE(minted.is_discarded()) << r.describe();
  EXPECT_EQ(minted["token"]["written_to"], file);
  EXPECT_FALSE(minted["token"].contains("token"));
  expect_invalid_token(get_stats(proxy.port(), old["token"].get<std::string>()), true);
}

TEST_F(CliRotate, AnOutFileThatCannotBeWrittenChangesNothing) {
  nlohmann::json old = mint("stuck-agent", {"lake:read"});
  CliResult r = run({"rotate", "stuck-agent", "--out", scratch.file("no-such-dir/token")});
  EXPECT_EQ(r.code(), kLocal) << r.describe();
  EXPECT_TRUE(contains(r.err, "no-such-dir")) << r.describe();
  EXPECT_TRUE(r.out.empty()) << r.describe();
  // Nothing was minted: the name still has exactly one token, the old one, active.
  ApiReply list = proxy.admin().list();
  ASSERT_EQ(list.status, 200) << list.describe();
  int named = 0;
  for (const auto& t : list.body["tokens"]) named += t["name"] == "stuck-agent" ? 1 : 0;
  EXPECT_EQ(named, 1) << list.describe();
  EXPECT_EQ(get_stats(proxy.port(), old["token"].get<std::string>()).status, 200);
}

}  // namespace
}  // namespace fathom::test::cli
