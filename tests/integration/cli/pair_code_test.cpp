// `fathom-auth pair-code create|list|cancel` against a real daemon.

#include <gtest/gtest.h>

#include "integration/cli/cli_fixture.h"

namespace fathom::test::cli {
namespace {

using CliPairCode = CliTest;

bool lists_code(const nlohmann::json& list, const std::string& id) {
  for (const nlohmann::json& c : list.value("pair_codes", nlohmann::json::array())) {
    if (c.value("pair_code_id", "") == id) return true;
  }
  return false;
}

TEST_F(CliPairCode, CreatePrintsTheCodeAndTheAgentCommand) {
  CliResult r =
      run({"pair-code", "create", "--name", "agent-7", "--scope", "lake:read", "--ttl", "600"});
  ASSERT_EQ(r.code(), kOk) << r.describe();
  const size_t at = r.out.find("npx fathom-agent init --pair-code pair_");
  ASSERT_NE(at, std::string::npos) << r.describe();
  const std::string code = r.out.substr(at + 34, 29);
  EXPECT_TRUE(code.starts_with("pair_")) << code;
  // The printed code is the real one: an agent trades it for a token, once.
  nlohmann::json body = {{"code", code}};
  Response redeemed =
      fetch(proxy.port(), "POST", "/v1/pair", "Content-Type: application/json\r\n", body.dump());
  EXPECT_EQ(redeemed.status, 201) << redeemed.body;
  EXPECT_EQ(redeemed.json().value("name", ""), "agent-7") << redeemed.body;
}

TEST_F(CliPairCode, ListAndCancel) {
  CliResult created =
      run({"pair-code", "create", "--name", "agent-8", "--scope", "lake:read", "--json"});
  ASSERT_EQ(created.code(), kOk) << created.describe();
  const std::string id = json_of(created).value("pair_code_id", "");
  ASSERT_FALSE(id.empty()) << created.describe();
  const std::string code = json_of(created).value("code", "");

  CliResult table = run({"pair-code", "list"});
  ASSERT_EQ(table.code(), kOk) << table.describe();
  EXPECT_TRUE(contains(table.out, id)) << table.out;
  EXPECT_TRUE(contains(table.out, "agent-8")) << table.out;
  EXPECT_FALSE(contains(table.out, code)) << "a listing must never show a code";

  CliResult listed = run({"pair-code", "list", "--json"});
  ASSERT_EQ(listed.code(), kOk) << listed.describe();
  EXPECT_TRUE(lists_code(json_of(listed), id)) << listed.out;

  CliResult cancelled = run({"pair-code", "cancel", id});
  ASSERT_EQ(cancelled.code(), kOk) << cancelled.describe();
  CliResult after = run({"pair-code", "list", "--json"});
  ASSERT_EQ(after.code(), kOk) << after.describe();
  EXPECT_FALSE(lists_code(json_of(after), id)) << after.out;

  CliResult unknown = run({"pair-code", "cancel", "pc_doesnotexist"});
  EXPECT_EQ(unknown.code(), kNotFound) << unknown.describe();
}

TEST_F(CliPairCode, CreateNeedsNameAndScope) {
  EXPECT_EQ(run({"pair-code", "create", "--scope", "lake:read"}).code(), kUsage);
  EXPECT_EQ(run({"pair-code", "create", "--name", "x"}).code(), kUsage);
  EXPECT_EQ(
      run({"pair-code", "create", "--name", "x", "--scope", "lake:read", "--ttl", "5"}).code(),
      kUsage);
}

}  // namespace
}  // namespace fathom::test::cli
