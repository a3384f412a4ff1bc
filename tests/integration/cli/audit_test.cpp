// `fathom-auth audit`: the trail through the admin API, one page or all of them, for one token
// by id or name; and `audit verify`, which checks the files offline.

#include <gtest/gtest.h>

#include <thread>

#include "integration/cli/cli_fixture.h"
#include "integration/tokens/token_checks.h"

namespace fathom::test::cli {
namespace {

using tokens::get_stats;
using CliAudit = CliTest;

// Request events are written in batches (durable within a second): polls the CLI until `count`
// events of the token are listed, at most `attempts` times.
nlohmann::json events_of(const CliTest& t, const std::string& token_name, size_t count) {
  nlohmann::json doc;
  for (int attempt = 0; attempt < 50; ++attempt) {
    CliResult r = t.run({"audit", "--token", token_name, "--all", "--limit", "1", "--json"});
    EXPECT_EQ(r.code(), kOk) << r.describe();
    doc = CliTest::json_of(r);
    if (doc.is_object() && doc.value("events", nlohmann::json::array()).size() >= count) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return doc;
}

TEST_F(CliAudit, AllFollowsTheCursorAcrossPagesForOneTokenByName) {
  nlohmann::json minted = mint("audited", {"lake:read"});
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(get_stats(proxy.port(), minted["token"].get<std::string>()).status, 200);
  // --limit 1 makes every event its own page: --all must follow next_cursor through them.
  nlohmann::json doc = events_of(*this, "audited", 4);
  ASSERT_TRUE(doc.is_object()) << doc;
  const nlohmann::json events = doc.value("events", nlohmann::json::array());
  ASSERT_GE(events.size(), 4u) << doc;  // token.created and three requests
  size_t requests = 0;
  for (const nlohmann::json& e : events) {
    EXPECT_EQ(e["token_id"], minted["token_id"]) << e;
    if (e.value("kind", "") == "request") ++requests;
  }
  EXPECT_EQ(requests, 3u) << doc;
  EXPECT_TRUE(doc["next_cursor"].is_null());
}

TEST_F(CliAudit, OnePageTableNewestFirst) {
  nlohmann::json minted = mint("table-token", {"lake:read"});
  ASSERT_EQ(get_stats(proxy.port(), minted["token"].get<std::string>()).status, 200);
  events_of(*this, "table-token", 2);
  CliResult r = run({"audit", "--limit", "1000"});
  ASSERT_EQ(r.code(), kOk) << r.describe();
  EXPECT_TRUE(r.out.starts_with("TIME")) << r.out;
  EXPECT_TRUE(contains(r.out, "token.created")) << r.out;
  EXPECT_TRUE(contains(r.out, "GET /v1/stats")) << r.out;
  EXPECT_FALSE(contains(r.out, minted["token"].get<std::string>()));
  CliResult json = run({"audit", "--since", "1h", "--json"});
  ASSERT_EQ(json.code(), kOk) << json.describe();
  EXPECT_TRUE(json_of(json)["events"].is_array()) << json.out;
  CliResult secret = run({"audit", "--token", minted["token"].get<std::string>()});
  EXPECT_EQ(secret.code(), kUsage) << secret.describe();
  EXPECT_FALSE(contains(secret.err, minted["token"].get<std::string>()));
  CliResult bad = run({"audit", "--since", "yesterday"});
  EXPECT_EQ(bad.code(), kRefused) << bad.describe();
}

TEST_F(CliAudit, VerifyChecksTheChainOffline) {
  mint("chained", {"lake:read"});
  CliResult r = run_cli({"audit", "verify", "--config", proxy.daemon.config_path()}, {}, scratch);
  ASSERT_EQ(r.code(), kOk) << r.describe();
  EXPECT_TRUE(r.out.starts_with("audit ok: ")) << r.describe();
  EXPECT_EQ(run_cli({"audit", "verify"}, {}, scratch).code(), kUsage);
}

TEST(CliCheckConfig, TakesTheFileAsAnArgumentOrWithConfig) {
  TempDir scratch;
  const std::string path = write_config(scratch, token_config(1));
  CliResult positional = run_cli({"check-config", path}, {}, scratch);
  EXPECT_EQ(positional.code(), 0) << positional.describe();
  CliResult flag = run_cli({"check-config", "--config", path}, {}, scratch);
  EXPECT_EQ(flag.code(), 0) << flag.describe();
  const std::string broken = write_config(scratch, {{"workers", "many"}}, "broken.json");
  CliResult refused = run_cli({"check-config", broken}, {}, scratch);
  EXPECT_EQ(refused.code(), 2) << refused.describe();
  EXPECT_TRUE(contains(refused.err, "workers")) << refused.describe();
}

}  // namespace
}  // namespace fathom::test::cli
