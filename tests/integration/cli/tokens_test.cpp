// `fathom-auth tokens list|create|show|revoke|rotate` against a real daemon: the table and the
// --json forms, names that match several tokens, the last admin token, and the exit codes.

#include <gtest/gtest.h>

#include "integration/cli/cli_fixture.h"
#include "integration/tokens/token_checks.h"

namespace fathom::test::cli {
namespace {

using tokens::get_stats;
using tokens::well_formed_token;

using CliTokens = CliTest;

TEST_F(CliTokens, CreatePrintsTheTokenAloneOnStdoutAndWarnsOnStderr) {
  CliResult r = run(
      {"tokens", "create", "--name", "laptop", "--scope", "lake:read", "--scope", "lake:write"});
  ASSERT_EQ(r.code(), kOk) << r.describe();
  ASSERT_FALSE(r.out.empty());
  const std::string token = r.out.substr(0, r.out.size() - 1);
  EXPECT_EQ(r.out.back(), '\n');
  EXPECT_TRUE(well_formed_token(token)) << "stdout is not the token alone: " << r.describe();
  EXPECT_TRUE(contains(r.err, "shown only this once")) << r.describe();
  EXPECT_FALSE(contains(r.err, token)) << "the warning repeats the secret";
  // The printed token is the real one: the lake answers it.
  EXPECT_EQ(get_stats(proxy.port(), token).status, 200);
}

TEST_F(CliTokens, CreateWithJsonPrintsTheApiObjectWithTheToken) {
  CliResult r = run({"tokens", "create", "--name", "ci", "--scope", "lake:read", "--expires-in",
                     "3600", "--json"});
  ASSERT_EQ(r.code(), kOk) << r.describe();
  nlohmann::json doc = json_of(r);
  ASSERT_TRUE(doc.is_object()) << r.describe();
  EXPECT_EQ(doc["name"], "ci");
  EXPECT_EQ(doc["scopes"], nlohmann::json::array({"lake:read"}));
  EXPECT_TRUE(doc["expires_at"].is_string()) << doc;
  EXPECT_TRUE(well_formed_token(doc.value("token", ""))) << doc;
}

TEST_F(CliTokens, ListShowsAnAlignedTableAndNeverASecret) {
  nlohmann::json minted = mint("build-server", {"lake:read"});
  CliResult r = run({"tokens", "list"});
  ASSERT_EQ(r.code(), kOk) << r.describe();
  EXPECT_FALSE(contains(r.out, minted["token"].get<std::string>()));
  EXPECT_FALSE(contains(r.out, proxy.admin_token));
  std::vector<std::string> lines;
  for (size_t at = 0, nl; (nl = r.out.find('\n', at)) != std::string::npos; at = nl + 1) {
    lines.push_back(r.out.substr(at, nl - at));
  }
  ASSERT_EQ(lines.size(), 3u) << r.out;  // header, bootstrap-admin and build-server
  EXPECT_TRUE(lines[0].starts_with("ID")) << r.out;
  const size_t name_column = lines[0].find("NAME");
  const size_t status_column = lines[0].find("STATUS");
  ASSERT_NE(name_column, std::string::npos);
  const std::string& row = lines[1].find("build-server") != std::string::npos ? lines[1] : lines[2];
  const std::string& admin_row = &row == &lines[1] ? lines[2] : lines[1];
  EXPECT_EQ(row.find("build-server"), name_column) << r.out;
  EXPECT_EQ(admin_row.find("bootstrap-admin"), name_column) << r.out;
  EXPECT_EQ(row.find("active"), status_column) << r.out;
  EXPECT_TRUE(row.starts_with(minted["token_id"].get<std::string>())) << r.out;
}

TEST_F(CliTokens, ListWithJsonAndStatusFilter) {
  nlohmann::json gone = mint("gone", {"lake:read"});
  ASSERT_EQ(proxy.admin().revoke(gone["token_id"].get<std::string>()).status, 200);
  CliResult active = run({"tokens", "list", "--json"});
  ASSERT_EQ(active.code(), kOk) << active.describe();
  EXPECT_EQ(json_of(active)["tokens"].size(), 1u) << active.out;
  CliResult revoked = run({"tokens", "list", "--status", "revoked", "--json"});
  ASSERT_EQ(revoked.code(), kOk) << revoked.describe();
  ASSERT_EQ(json_of(revoked)["tokens"].size(), 1u) << revoked.out;
  EXPECT_EQ(json_of(revoked)["tokens"][0]["token_id"], gone["token_id"]);
  CliResult bad = run({"tokens", "list", "--status", "sleeping"});
  EXPECT_EQ(bad.code(), kUsage) << bad.describe();
}

TEST_F(CliTokens, ShowByIdAndByName) {
  nlohmann::json minted = mint("phone", {"lake:read"});
  const std::string id = minted["token_id"];
  CliResult by_id = run({"tokens", "show", id});
  ASSERT_EQ(by_id.code(), kOk) << by_id.describe();
  EXPECT_TRUE(contains(by_id.out, "token_id:")) << by_id.out;
  EXPECT_TRUE(contains(by_id.out, "phone")) << by_id.out;
  CliResult by_name = run({"tokens", "show", "phone", "--json"});
  ASSERT_EQ(by_name.code(), kOk) << by_name.describe();
  EXPECT_EQ(json_of(by_name)["token_id"], id);
  EXPECT_FALSE(json_of(by_name).contains("token"));
}

TEST_F(CliTokens, UnknownIdOrNameIsNotFound) {
  CliResult by_id = run({"tokens", "show", "tok_0000000000000000"});
  EXPECT_EQ(by_id.code(), kNotFound) << by_id.describe();
  CliResult by_name = run({"tokens", "revoke", "nobody-has-this-name"});
  EXPECT_EQ(by_name.code(), kNotFound) << by_name.describe();
  EXPECT_TRUE(contains(by_name.err, "nobody-has-this-name")) << by_name.describe();
}

TEST_F(CliTokens, RevokeByNameRevokesAtOnce) {
  nlohmann::json minted = mint("old-laptop", {"lake:read"});
  const std::string secret = minted["token"];
  ASSERT_EQ(get_stats(proxy.port(), secret).status, 200);
  CliResult r = run({"tokens", "revoke", "old-laptop"});
  ASSERT_EQ(r.code(), kOk) << r.describe();
  EXPECT_TRUE(contains(r.out, minted["token_id"].get<std::string>())) << r.describe();
  EXPECT_EQ(get_stats(proxy.port(), secret).status, 401);
  // With --json: the API's revoked token object; revoking again is idempotent.
  CliResult again = run({"tokens", "revoke", minted["token_id"].get<std::string>(), "--json"});
  ASSERT_EQ(again.code(), kOk) << again.describe();
  EXPECT_EQ(json_of(again)["status"], "revoked");
}

TEST_F(CliTokens, ANameMatchingSeveralTokensListsThemAndRevokesNothing) {
  nlohmann::json a = mint("twin", {"lake:read"});
  nlohmann::json b = mint("twin", {"lake:write"});
  CliResult r = run({"tokens", "revoke", "twin"});
  EXPECT_EQ(r.code(), kAmbiguous) << r.describe();
  EXPECT_TRUE(contains(r.err, a["token_id"].get<std::string>())) << r.describe();
  EXPECT_TRUE(contains(r.err, b["token_id"].get<std::string>())) << r.describe();
  EXPECT_EQ(get_stats(proxy.port(), a["token"].get<std::string>()).status, 200);
  EXPECT_EQ(proxy.admin().show(b["token_id"].get<std::string>()).body["status"], "active");
}

TEST_F(CliTokens, RevokingTheLastAdminTokenIsRefusedWithWhatToDoInstead) {
  ApiReply me = proxy.admin().me();
  ASSERT_EQ(me.status, 200) << me.describe();
  const std::string admin_id = me.body["token_id"];
  CliResult r = run({"tokens", "revoke", "bootstrap-admin"});
  EXPECT_EQ(r.code(), kConflict) << r.describe();
  EXPECT_TRUE(contains(r.err, "last lasting admin token")) << r.describe();
  EXPECT_TRUE(contains(r.err, "fathom-auth tokens create --name NAME --scope admin"))
      << r.describe();
  EXPECT_TRUE(contains(r.err, "fathom-auth rotate " + admin_id)) << r.describe();
  EXPECT_EQ(proxy.admin().me().status, 200) << "the last admin token was revoked";
}

TEST_F(CliTokens, TokensRotatePrintsTheReplacementAndKeepsTheOldActive) {
  nlohmann::json old = mint("desk", {"lake:read"});
  CliResult r = run({"tokens", "rotate", "desk"});
  ASSERT_EQ(r.code(), kOk) << r.describe();
  const std::string fresh = r.out.substr(0, r.out.find('\n'));
  EXPECT_TRUE(well_formed_token(fresh)) << r.describe();
  EXPECT_TRUE(contains(r.err, "fathom-auth tokens revoke " + old["token_id"].get<std::string>()))
      << r.describe();
  EXPECT_EQ(get_stats(proxy.port(), fresh).status, 200);
  EXPECT_EQ(get_stats(proxy.port(), old["token"].get<std::string>()).status, 200);
  // A second rotation of the same token is refused by a rule, naming the successor.
  CliResult again = run({"tokens", "rotate", old["token_id"].get<std::string>()});
  EXPECT_EQ(again.code(), kConflict) << again.describe();
}

}  // namespace
}  // namespace fathom::test::cli
