// What the lake learns about the caller: the identity headers the daemon adds (never ones the
// client made up), no Authorization unless configured, and the Token object's shape. Also the
// read-only plugin in front of scope-rules.

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "integration/tokens/token_checks.h"
#include "support/lake_echo.h"
#include "support/temp_dir.h"
#include "support/token_api.h"

namespace fathom::test {
namespace {

std::set<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::set<std::string> out;
  for (std::string w; in >> w;) out.insert(w);
  return out;
}

TEST(TokensIdentity, LakeSeesTheTokensIdentityAndNoAuthorization) {
  TokenProxy p;
  const std::vector<std::string> scopes = {"lake:read", "lake:write", "reports:export"};
  ApiReply minted = p.admin().mint("identity probe", scopes);
  ASSERT_EQ(minted.status, 201) << minted.describe();
  const std::string id = minted.body["token_id"];

  // The client tries to claim another identity; the daemon must replace, not keep or append.
  Response r = fetch(p.port(), "GET", "/headers",
                     bearer(minted.body["token"].get<std::string>()) +
                         "X-Fathom-Token-Id: tok_forgedforgedforg\r\n"
                         "X-Fathom-Scopes: admin\r\n"
                         "X-Fathom-Token-Name: root\r\n"
                         "X-Fathom-Whatever: x\r\n");
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json echo = r.json();
  EXPECT_EQ(echoed_headers(echo, "X-Fathom-Token-Id"), std::vector<std::string>{id})
      << echoed_header_names(echo);
  EXPECT_EQ(echoed_headers(echo, "X-Fathom-Token-Name"),
            std::vector<std::string>{"identity probe"});
  std::vector<std::string> scope_headers = echoed_headers(echo, "X-Fathom-Scopes");
  ASSERT_EQ(scope_headers.size(), 1u) << echoed_header_names(echo);
  EXPECT_EQ(words(scope_headers[0]), std::set<std::string>(scopes.begin(), scopes.end()))
      << scope_headers[0];
  EXPECT_EQ(scope_headers[0].find(','), std::string::npos) << "space-separated, not commas";
  EXPECT_TRUE(echoed_headers(echo, "X-Fathom-Whatever").empty())
      << "a client's X-Fathom-* header reached the lake";
  EXPECT_TRUE(echoed_headers(echo, "Authorization").empty()) << "the secret reached the lake";

  // The record agrees with the echo: one head, with the daemon's identity only.
  std::vector<nlohmann::json> heads = p.lake.recorded_heads();
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(echoed_headers(heads[0], "X-Fathom-Token-Id"), std::vector<std::string>{id});
}

TEST(TokensIdentity, ForwardAuthorizationKeepsTheHeaderWhenConfigured) {
  TokenProxy p([](nlohmann::json& config) { config["upstream"]["forward_authorization"] = true; });
  Response r = fetch(p.port(), "GET", "/headers", bearer(p.admin_token));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(echoed_headers(r.json(), "Authorization"),
            std::vector<std::string>{"Bearer " + p.admin_token});
}

TEST(TokensIdentity, TokenObjectHasTheContractShapeAndNoSecret) {
  TokenProxy p;
  TokenApi admin = p.admin();
  ApiReply me = admin.me();
  ASSERT_EQ(me.status, 200) << me.describe();
  EXPECT_EQ(me.body["name"], "bootstrap-admin");
  EXPECT_EQ(me.body["scopes"], nlohmann::json({"admin"}));

  ApiReply minted = admin.mint("shape", {"lake:read"}, {{"expires_in", 3600}});
  ASSERT_EQ(minted.status, 201) << minted.describe();
  const std::set<std::string> fields = {"token_id",   "name",         "scopes",       "status",
                                        "created_at", "created_by",   "last_used_at", "expires_at",
                                        "revoked_at", "rotated_from", "rotated_to"};
  std::set<std::string> minted_keys;
  for (const auto& [k, v] : minted.body.items()) minted_keys.insert(k);
  std::set<std::string> expected_minted = fields;
  expected_minted.insert("token");
  EXPECT_EQ(minted_keys, expected_minted) << minted.describe();

  const std::string secret = minted.body["token"];
  EXPECT_TRUE(tokens::well_formed_token(secret)) << secret;
  EXPECT_TRUE(tokens::well_formed_token(p.admin_token)) << "the bootstrap token: " << p.admin_token;
  const std::regex id_shape("tok_[0-9A-Za-z]{16}");
  const std::regex time_shape(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z)");
  EXPECT_TRUE(std::regex_match(minted.body["token_id"].get<std::string>(), id_shape));
  EXPECT_EQ(minted.body["created_by"], me.body["token_id"]);
  EXPECT_EQ(minted.body["status"], "active");
  EXPECT_TRUE(std::regex_match(minted.body["created_at"].get<std::string>(), time_shape));
  EXPECT_TRUE(std::regex_match(minted.body["expires_at"].get<std::string>(), time_shape));
  for (const char* absent : {"revoked_at", "rotated_from", "rotated_to"}) {
    EXPECT_TRUE(minted.body[absent].is_null()) << absent;
  }

  // Shown later, the same object without the secret, and it is the caller's at /v1/auth/me.
  ApiReply shown = admin.show(minted.body["token_id"].get<std::string>());
  ASSERT_EQ(shown.status, 200) << shown.describe();
  std::set<std::string> shown_keys;
  for (const auto& [k, v] : shown.body.items()) shown_keys.insert(k);
  EXPECT_EQ(shown_keys, fields) << shown.describe();
  EXPECT_EQ(shown.response.body.find(secret.substr(4, 32)), std::string::npos);
  ApiReply own = p.as(secret).me();
  ASSERT_EQ(own.status, 200) << own.describe();
  EXPECT_EQ(own.body["token_id"], minted.body["token_id"]);
  EXPECT_FALSE(own.body.contains("token"));
}

TEST(TokensReadOnly, ReadOnlyPluginRefusesWritesOfATokenThatMayWrite) {
  // The writer is minted by a daemon without read-only, then the daemon starts again on the
  // same state_dir with it: what read-only does to the admin routes themselves is not what
  // this test is about.
  TempDir state;
  LakeProcess lake;
  std::string writer;
  {
    nlohmann::json config = token_config(lake.port());
    config["state_dir"] = state.path();
    DaemonProcess daemon(config);
    TokenApi admin(daemon.port(), read_bootstrap_token(state.path()));
    ApiReply minted = admin.mint("writer", {"lake:read", "lake:write"});
    ASSERT_EQ(minted.status, 201) << minted.describe();
    writer = minted.body["token"];
    ASSERT_EQ(fetch(daemon.port(), "POST", "/v1/items", bearer(writer), "{}").status, 200)
        << "without read-only the write goes through";
  }
  const size_t heads_before = lake.recorded_heads().size();

  nlohmann::json config = token_config(lake.port());
  config["state_dir"] = state.path();
  config["plugins"] = nlohmann::json::array(
      {{{"name", "admin"}}, {{"name", "read-only"}}, {{"name", "scope-rules"}}});
  DaemonProcess daemon(config);
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    SCOPED_TRACE(method);
    Response r = fetch(daemon.port(), method, "/v1/items/1", bearer(writer), "{}");
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(r.json().value("error", ""), "forbidden") << r.body;
    EXPECT_TRUE(r.json().contains("message")) << r.body;
  }
  EXPECT_EQ(lake.recorded_heads().size(), heads_before) << "a write reached the lake";
  EXPECT_EQ(fetch(daemon.port(), "GET", "/v1/stats", bearer(writer)).status, 200);
  EXPECT_EQ(fetch(daemon.port(), "HEAD", "/v1/stats", bearer(writer)).status, 200);
  // read-only adds a refusal; it does not stand in for authentication.
  tokens::expect_invalid_token(fetch(daemon.port(), "GET", "/v1/stats"), false);
}

}  // namespace
}  // namespace fathom::test
