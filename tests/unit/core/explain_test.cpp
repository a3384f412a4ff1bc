// Tests proxy/core/explain.cpp with the project's real plugins: which plugin decides, what the
// caller lacks, and the route's parameter checks.

#include "core/explain.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

#include "plugin_host/plugin_loader.h"

namespace fathom {
namespace {

const std::string kBinaryDir = FATHOM_BINARY_DIR;

PluginConfig plugin(const std::string& name, std::string config_json = "null") {
  return {name, kBinaryDir + "/plugins/" + name + ".so", std::move(config_json)};
}

Identity reader() {
  return {"tok_reader0000000000", "reader", {"lake:read"}};
}

nlohmann::json explain(const PluginSet& set, std::string_view query, const Identity& who) {
  Response r = explain_route(set, query, who, "127.0.0.1", "rid");
  EXPECT_EQ(r.status, 200) << r.body;
  return nlohmann::json::parse(r.body);
}

TEST(Explain, ScopeRulesDecidesAndNamesTheMissingScope) {
  auto set = load_plugins({plugin("scope-rules")});
  nlohmann::json j = explain(*set, "method=POST&path=/v1/items", reader());
  EXPECT_EQ(j["decided_by"], "scope-rules");
  EXPECT_EQ(j["verdict"], "require");
  EXPECT_EQ(j["scopes"], nlohmann::json({"lake:write"}));
  EXPECT_EQ(j["missing_scopes"], nlohmann::json({"lake:write"}));
  EXPECT_FALSE(j["allowed"]);
  EXPECT_EQ(j["token_id"], "tok_reader0000000000");

  j = explain(*set, "method=GET&path=%2Fv1%2Fitems", reader());
  EXPECT_EQ(j["path"], "/v1/items");
  EXPECT_TRUE(j["allowed"]);
  EXPECT_EQ(j["missing_scopes"], nlohmann::json::array());
}

TEST(Explain, EveryPolicyAskedIsListedInOrder) {
  // read-only denies writes before scope-rules is asked; reads it leaves to scope-rules.
  auto set = load_plugins({plugin("read-only"), plugin("scope-rules")});
  nlohmann::json j = explain(*set, "method=DELETE&path=/v1/items/1", reader());
  ASSERT_EQ(j["steps"].size(), 1u) << j.dump();
  EXPECT_EQ(j["steps"][0]["plugin"], "read-only");
  EXPECT_EQ(j["verdict"], "deny");
  EXPECT_FALSE(j["allowed"]);

  j = explain(*set, "method=GET&path=/v1/items/1", reader());
  ASSERT_EQ(j["steps"].size(), 2u) << j.dump();
  EXPECT_EQ(j["steps"][0]["plugin"], "read-only");
  EXPECT_EQ(j["steps"][0]["verdict"], "abstain");
  EXPECT_EQ(j["steps"][1]["plugin"], "scope-rules");
  EXPECT_EQ(j["decided_by"], "scope-rules");
}

TEST(Explain, RouteHandlersAreAskedFirst) {
  auto set = load_plugins({plugin("admin"), plugin("scope-rules")});
  nlohmann::json j = explain(*set, "method=GET&path=/v1/tokens", reader());
  EXPECT_EQ(j["decided_by"], "admin");
  EXPECT_EQ(j["steps"][0]["role"], "route handler");
  EXPECT_EQ(j["missing_scopes"], nlohmann::json({"tokens:manage"}));
}

TEST(Explain, NobodyDecidingIsDeny) {
  auto set = load_plugins({});
  nlohmann::json j = explain(*set, "method=GET&path=/x", reader());
  EXPECT_EQ(j["decided_by"], nullptr);
  EXPECT_EQ(j["verdict"], "deny");
  EXPECT_FALSE(j["allowed"]);
}

TEST(Explain, AdminHoldsEveryScope) {
  auto set = load_plugins({plugin("scope-rules")});
  Identity admin{"tok_admin00000000000", "admin", {"admin"}};
  EXPECT_TRUE(explain(*set, "method=PUT&path=/v1/x", admin)["allowed"]);
}

TEST(Explain, BadParametersAreNamed) {
  auto set = load_plugins({plugin("scope-rules")});
  struct Case {
    const char* query;
    const char* names;
  } cases[] = {
      {"path=/v1/x", "method"},
      {"method=GET", "path"},
      {"method=G%20T&path=/x", "method"},
      {"method=GET&path=v1/x", "path"},
      {"method=GET&path=/a/../b", "path"},
      {"method=GET&path=/a%2", "path"},
      {"method=GET&path=/a%3Fq=1", "path"},
      {"method=GET&path=/x&token=fth_x", "token"},
  };
  for (const Case& c : cases) {
    Response r = explain_route(*set, c.query, reader(), "127.0.0.1", "rid");
    EXPECT_EQ(r.status, 400) << c.query;
    nlohmann::json j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["error"], "invalid_request") << c.query;
    EXPECT_NE(j["message"].get<std::string>().find(c.names), std::string::npos)
        << c.query << ": " << j["message"];
  }
}

}  // namespace
}  // namespace fathom
