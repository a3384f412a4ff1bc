// Tests admin/token_routes.cpp against a real FileStore: claiming, methods, listing, reading,
// minting (with the no-escalation rule) and /v1/auth/me. Revoke and rotate are in
// token_routes_changes_test.cpp.

#include "token_routes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "route_harness.h"

namespace fathom::admin::testing {
namespace {

std::vector<std::string> scopes_of(const PolicyDecision& d) {
  return {d.scopes.begin(), d.scopes.end()};
}

TEST(AdminClaimRoute, TokenRoutesNeedTokensManageAndMeAnyValidToken) {
  for (const char* path : {"/v1/tokens", "/v1/tokens/tok_abc", "/v1/tokens/tok_abc/rotate",
                           "/v1/tokens/", "/v1/tokens/a/b/c"}) {
    std::optional<PolicyDecision> d = claim_route(path);
    ASSERT_TRUE(d) << path;
    EXPECT_EQ(d->verdict, Verdict::require) << path;
    EXPECT_EQ(scopes_of(*d), std::vector<std::string>{"tokens:manage"}) << path;
  }
  std::optional<PolicyDecision> me = claim_route("/v1/auth/me");
  ASSERT_TRUE(me);
  EXPECT_EQ(me->verdict, Verdict::require);
  EXPECT_TRUE(me->scopes.empty());
}

TEST(AdminClaimRoute, LeavesOtherPathsAlone) {
  for (const char* path :
       {"/", "/v1/stats", "/v1/tokensx", "/v1/token", "/v1/auth/me/", "/v1/auth/other",
        "/v1/pair-codesx", "/v1/pairs", "/v1/audits", "/v2/tokens", "/V1/tokens", "/v1/Pair"}) {
    EXPECT_FALSE(claim_route(path)) << path;
  }
}

using AdminTokenRoutesTest = RouteHarness;

TEST_F(AdminTokenRoutesTest, WrongMethodIs405WithAllow) {
  struct Case {
    const char* method;
    std::string path;
    const char* allow;
  };
  const std::string id = bootstrap_.token_id;
  for (const Case& c : {Case{"PUT", "/v1/tokens", "GET, HEAD, POST"},
                        Case{"DELETE", "/v1/tokens", "GET, HEAD, POST"},
                        Case{"POST", "/v1/tokens/" + id, "GET, HEAD, DELETE"},
                        Case{"PATCH", "/v1/tokens/" + id, "GET, HEAD, DELETE"},
                        Case{"GET", "/v1/tokens/" + id + "/rotate", "POST"},
                        Case{"DELETE", "/v1/auth/me", "GET, HEAD"}}) {
    Answer a = call(bootstrap_, c.method, c.path);
    expect_error(a, 405, "method_not_allowed");
    EXPECT_EQ(a.header("Allow"), c.allow) << c.method << " " << c.path;
  }
}

TEST_F(AdminTokenRoutesTest, UnknownRouteUnderTokensIs404) {
  expect_error(call(bootstrap_, "GET", "/v1/tokens/" + bootstrap_.token_id + "/history"), 404,
               "not_found");
}

TEST_F(AdminTokenRoutesTest, MintAnswers201WithTheTokenOnce) {
  Answer a = call(bootstrap_, "POST", "/v1/tokens",
                  R"({"name": "ci-deploy", "scopes": ["lake:read", "lake:write"]})");
  ASSERT_EQ(a.response.status, 201) << a.response.body;
  const Json& t = a.body;
  EXPECT_TRUE(t["token"].get<std::string>().starts_with("fth_"));
  EXPECT_TRUE(t["token_id"].get<std::string>().starts_with("tok_"));
  EXPECT_EQ(t["name"], "ci-deploy");
  EXPECT_EQ(t["scopes"], Json::array({"lake:read", "lake:write"}));
  EXPECT_EQ(t["status"], "active");
  EXPECT_EQ(t["created_at"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(t["created_by"], bootstrap_.token_id);
  for (const char* key :
       {"last_used_at", "expires_at", "revoked_at", "rotated_from", "rotated_to"}) {
    EXPECT_TRUE(t[key].is_null()) << key;
  }
  EXPECT_FALSE(t.contains("secret_hash"));
  EXPECT_EQ(t.size(), 12u);

  // Stored, and never shown again.
  Answer again = call(bootstrap_, "GET", "/v1/tokens/" + t["token_id"].get<std::string>());
  ASSERT_EQ(again.response.status, 200);
  EXPECT_FALSE(again.body.contains("token"));
  Json expected = t;
  expected.erase("token");
  EXPECT_EQ(again.body, expected);

  // One log line, with ids and without the secret.
  const std::vector<LogLine> lines = log();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].event, "token_created");
  EXPECT_NE(lines[0].message.find(t["token_id"].get<std::string>()), std::string::npos);
  EXPECT_NE(lines[0].message.find(bootstrap_.token_id), std::string::npos);
  EXPECT_EQ(lines[0].message.find(t["token"].get<std::string>()), std::string::npos);
}

TEST_F(AdminTokenRoutesTest, MintWithExpiry) {
  EXPECT_EQ(mint(R"({"name": "a", "scopes": ["lake:read"], "expires_in": 3600})")["expires_at"],
            "2027-01-15T09:00:00Z");
  EXPECT_EQ(mint(R"({"name": "b", "scopes": ["lake:read"],
                     "expires_at": "2027-02-01T00:00:00+01:00"})")["expires_at"],
            "2027-01-31T23:00:00Z");
}

TEST_F(AdminTokenRoutesTest, MintRefusesABadBodyNamingTheField) {
  Answer a = call(bootstrap_, "POST", "/v1/tokens", R"({"name": "", "scopes": ["lake:read"]})");
  expect_error(a, 400, "invalid_request");
  EXPECT_TRUE(a.body["message"].get<std::string>().starts_with("name: "));
  a = call(bootstrap_, "POST", "/v1/tokens", "not json");
  expect_error(a, 400, "invalid_request");
  EXPECT_TRUE(a.body["message"].get<std::string>().starts_with("body: "));
}

TEST_F(AdminTokenRoutesTest, MintCannotGrantAScopeTheCallerLacks) {
  const Json manager = mint(R"({"name": "m", "scopes": ["tokens:manage", "lake:read"]})");
  const Identity caller = identity_of(manager);
  const size_t before = log().size();
  for (const char* scope : {"lake:write", "admin", "audit:read"}) {
    Answer a = call(caller, "POST", "/v1/tokens",
                    std::string(R"({"name": "x", "scopes": ["lake:read", ")") + scope + "\"]}");
    expect_error(a, 403, "insufficient_scope");
    EXPECT_NE(a.body["message"].get<std::string>().find(std::string("\"") + scope + "\""),
              std::string::npos)
        << a.response.body;
    EXPECT_EQ(a.header("WWW-Authenticate"),
              std::string(R"(Bearer realm="fathom", error="insufficient_scope", scope=")") + scope +
                  "\"");
  }
  EXPECT_EQ(log().size(), before) << "nothing was minted";
  // What it holds, it may grant.
  Answer ok = call(caller, "POST", "/v1/tokens",
                   R"({"name": "y", "scopes": ["lake:read", "tokens:manage"]})");
  EXPECT_EQ(ok.response.status, 201) << ok.response.body;
  EXPECT_EQ(ok.body["created_by"], manager["token_id"]);
}

TEST_F(AdminTokenRoutesTest, AdminMayGrantAnyScopeIncludingAdmin) {
  const Json t = mint(R"({"name": "root2", "scopes": ["admin", "lake:write", "custom:thing.*"]})");
  EXPECT_EQ(t["scopes"], Json::array({"admin", "lake:write", "custom:thing.*"}));
}

TEST_F(AdminTokenRoutesTest, ListIsOldestFirstAndFiltersByStatus) {
  const Json a = mint(R"({"name": "a", "scopes": ["lake:read"], "expires_in": 10})");
  now_ += 1;
  const Json b = mint(R"({"name": "b", "scopes": ["lake:read"]})");
  now_ += 1;
  const Json c = mint(R"({"name": "c", "scopes": ["lake:read"]})");
  ASSERT_EQ(
      call(bootstrap_, "DELETE", "/v1/tokens/" + c["token_id"].get<std::string>()).response.status,
      200);
  now_ += 10;  // a has expired

  const auto ids = [&](const std::string& query) {
    Answer r = call(bootstrap_, "GET", "/v1/tokens", "", query);
    EXPECT_EQ(r.response.status, 200) << r.response.body;
    std::vector<std::string> out;
    for (const Json& t : r.body["tokens"]) out.push_back(t["token_id"]);
    return out;
  };
  const std::string boot = bootstrap_.token_id;
  const std::string ia = a["token_id"], ib = b["token_id"], ic = c["token_id"];
  EXPECT_EQ(ids(""), (std::vector<std::string>{boot, ib}));
  EXPECT_EQ(ids("status=active"), (std::vector<std::string>{boot, ib}));
  EXPECT_EQ(ids("status=expired"), (std::vector<std::string>{ia}));
  EXPECT_EQ(ids("status=revoked"), (std::vector<std::string>{ic}));
  EXPECT_EQ(ids("status=all"), (std::vector<std::string>{boot, ia, ib, ic}));

  Answer all = call(bootstrap_, "GET", "/v1/tokens", "", "status=all");
  EXPECT_EQ(all.body.size(), 1u);
  EXPECT_EQ(all.body["tokens"][1]["status"], "expired");
  EXPECT_EQ(all.body["tokens"][3]["status"], "revoked");
  for (const Json& t : all.body["tokens"]) EXPECT_FALSE(t.contains("token"));
}

TEST_F(AdminTokenRoutesTest, ListRefusesABadQueryNamingTheParameter) {
  Answer a = call(bootstrap_, "GET", "/v1/tokens", "", "status=gone");
  expect_error(a, 400, "invalid_request");
  EXPECT_TRUE(a.body["message"].get<std::string>().starts_with("status: "));
}

TEST_F(AdminTokenRoutesTest, HeadIsAnsweredAsGet) {
  EXPECT_EQ(call(bootstrap_, "HEAD", "/v1/tokens").response.status, 200);
  EXPECT_EQ(call(bootstrap_, "HEAD", "/v1/tokens/" + bootstrap_.token_id).response.status, 200);
  EXPECT_EQ(call(bootstrap_, "HEAD", "/v1/auth/me").response.status, 200);
}

TEST_F(AdminTokenRoutesTest, GetOneToken) {
  Answer a = call(bootstrap_, "GET", "/v1/tokens/" + bootstrap_.token_id);
  ASSERT_EQ(a.response.status, 200);
  EXPECT_EQ(a.body["name"], "bootstrap-admin");
  EXPECT_EQ(a.body["scopes"], Json::array({"admin"}));
  EXPECT_TRUE(a.body["created_by"].is_null());
}

TEST_F(AdminTokenRoutesTest, UnknownOrMalformedIdIs404) {
  Answer a = call(bootstrap_, "GET", "/v1/tokens/tok_nosuchtoken00000");
  expect_error(a, 404, "not_found");
  EXPECT_EQ(a.body["message"], "No token with id tok_nosuchtoken00000.");
  // A malformed id is not echoed: it may be a secret pasted into the wrong place.
  const std::string pasted = "fth_0123456789abcdefghijklmnopqrstuvwxyzAB";
  a = call(bootstrap_, "GET", "/v1/tokens/" + pasted);
  expect_error(a, 404, "not_found");
  EXPECT_EQ(a.response.body.find(pasted), std::string::npos);
}

TEST_F(AdminTokenRoutesTest, MeIsTheCallersOwnToken) {
  const Json reader = mint(R"({"name": "reader", "scopes": ["lake:read"]})");
  Answer a = call(identity_of(reader), "GET", "/v1/auth/me");
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  Json expected = reader;
  expected.erase("token");
  EXPECT_EQ(a.body, expected);
}

TEST_F(AdminTokenRoutesTest, MeForATokenGoneFromTheStoreIs401) {
  const Identity ghost{"tok_ghost00000000000", "ghost", {"lake:read"}};
  Answer a = call(ghost, "GET", "/v1/auth/me");
  expect_error(a, 401, "invalid_token");
  EXPECT_EQ(a.header("WWW-Authenticate"), R"(Bearer realm="fathom", error="invalid_token")");
}

TEST_F(AdminTokenRoutesTest, WithoutAnIdentityIs401) {
  Answer a = call(nullptr, "GET", "/v1/tokens");
  expect_error(a, 401, "invalid_token");
  EXPECT_EQ(a.header("WWW-Authenticate"), R"(Bearer realm="fathom")");
}

}  // namespace
}  // namespace fathom::admin::testing
