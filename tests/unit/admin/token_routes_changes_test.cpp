// Tests admin/token_routes.cpp's writes against a real FileStore: revoke (idempotent, the last
// admin token), rotate (with and without a grace, refusals, no escalation) and a store that has
// stopped writing.

#include <gtest/gtest.h>

#include <string>

#include "route_harness.h"

namespace fathom::admin::testing {
namespace {

class AdminTokenChangesTest : public RouteHarness {
 protected:
  Answer get(const std::string& id) { return call(bootstrap_, "GET", "/v1/tokens/" + id); }
  Answer revoke(const std::string& id) { return call(bootstrap_, "DELETE", "/v1/tokens/" + id); }
  Answer rotate(const std::string& id, const std::string& body = "") {
    return call(bootstrap_, "POST", "/v1/tokens/" + id + "/rotate", body);
  }
  size_t count(const std::string& event) {
    size_t n = 0;
    for (const LogLine& l : log()) n += l.event == event;
    return n;
  }
};

TEST_F(AdminTokenChangesTest, RevokeAnswersTheRevokedTokenAndIsIdempotent) {
  const std::string id = mint(R"({"name": "a", "scopes": ["lake:read"]})")["token_id"];
  Answer a = revoke(id);
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  EXPECT_EQ(a.body["token_id"], id);
  EXPECT_EQ(a.body["status"], "revoked");
  EXPECT_EQ(a.body["revoked_at"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(get(id).body, a.body);

  now_ += 60;
  Answer again = revoke(id);
  ASSERT_EQ(again.response.status, 200) << again.response.body;
  EXPECT_EQ(again.body, a.body) << "the first revocation time stays";
  EXPECT_EQ(count("token_revoked"), 1u);
  for (const LogLine& l : log()) {
    if (l.event == "token_revoked") {
      EXPECT_NE(l.message.find(id), std::string::npos);
      EXPECT_NE(l.message.find(bootstrap_.token_id), std::string::npos);
    }
  }
}

TEST_F(AdminTokenChangesTest, RevokeUnknownIs404) {
  expect_error(revoke("tok_nosuchtoken00000"), 404, "not_found");
  expect_error(revoke("not-an-id"), 404, "not_found");
}

TEST_F(AdminTokenChangesTest, TheLastAdminTokenCannotBeRevoked) {
  Answer a = revoke(bootstrap_.token_id);
  expect_error(a, 409, "conflict");
  EXPECT_NE(a.body["message"].get<std::string>().find("mint another admin token"),
            std::string::npos)
      << a.response.body;
  EXPECT_EQ(get(bootstrap_.token_id).body["status"], "active");

  // A tokens:manage token is not an admin, nor is an admin that expires within a day: neither
  // lets the bootstrap token go.
  mint(R"({"name": "m", "scopes": ["tokens:manage"]})");
  mint(R"({"name": "brief", "scopes": ["admin"], "expires_in": 86400})");
  expect_error(revoke(bootstrap_.token_id), 409, "conflict");
  // A lasting one does; and then that one is the last, even for itself.
  const std::string lasting =
      mint(R"({"name": "lasting", "scopes": ["admin"], "expires_in": 86402})")["token_id"];
  Answer ok = revoke(bootstrap_.token_id);
  ASSERT_EQ(ok.response.status, 200) << ok.response.body;
  EXPECT_EQ(ok.body["status"], "revoked");
  const Identity self = identity_of(get(lasting).body);
  expect_error(call(self, "DELETE", "/v1/tokens/" + lasting), 409, "conflict");
}

TEST_F(AdminTokenChangesTest, RevokeAndRotateOnlyTokensWhoseEveryScopeTheCallerHolds) {
  const Json manager_token = mint(R"({"name": "m", "scopes": ["tokens:manage"]})");
  const Identity manager = identity_of(manager_token);
  const std::string auditor = mint(R"({"name": "a", "scopes": ["audit:read"]})")["token_id"];
  const std::string peer = mint(R"({"name": "p", "scopes": ["tokens:manage"]})")["token_id"];
  Answer refused = call(manager, "DELETE", "/v1/tokens/" + bootstrap_.token_id);
  expect_error(refused, 403, "insufficient_scope");
  EXPECT_NE(refused.body["message"].get<std::string>().find("\"admin\""), std::string::npos)
      << refused.response.body;
  expect_error(call(manager, "DELETE", "/v1/tokens/" + auditor), 403, "insufficient_scope");
  expect_error(call(manager, "POST", "/v1/tokens/" + auditor + "/rotate"), 403,
               "insufficient_scope");
  EXPECT_EQ(get(auditor).body["status"], "active");
  EXPECT_EQ(call(manager, "DELETE", "/v1/tokens/" + peer).response.status, 200);
  // Itself, always.
  EXPECT_EQ(call(manager, "DELETE", "/v1/tokens/" + manager.token_id).response.status, 200);
}

TEST_F(AdminTokenChangesTest, RotateWithoutGraceLeavesTheOldTokenActive) {
  const Json old = mint(R"({"name": "laptop", "scopes": ["lake:read", "lake:write"]})");
  const std::string old_id = old["token_id"];
  now_ += 100;
  Answer a = rotate(old_id);
  ASSERT_EQ(a.response.status, 201) << a.response.body;
  const Json& fresh = a.body;
  EXPECT_TRUE(fresh["token"].get<std::string>().starts_with("fth_"));
  EXPECT_NE(fresh["token"], old["token"]);
  EXPECT_NE(fresh["token_id"], old_id);
  EXPECT_EQ(fresh["name"], "laptop");
  EXPECT_EQ(fresh["scopes"], old["scopes"]);
  EXPECT_EQ(fresh["rotated_from"], old_id);
  EXPECT_TRUE(fresh["rotated_to"].is_null());
  EXPECT_EQ(fresh["created_at"], "2027-01-15T08:01:40Z");
  EXPECT_EQ(fresh["created_by"], bootstrap_.token_id);
  EXPECT_TRUE(fresh["expires_at"].is_null());
  EXPECT_EQ(fresh["status"], "active");

  const Json after = get(old_id).body;
  EXPECT_EQ(after["rotated_to"], fresh["token_id"]);
  EXPECT_EQ(after["status"], "active");
  EXPECT_TRUE(after["expires_at"].is_null());
  now_ += 100000;
  EXPECT_EQ(get(old_id).body["status"], "active") << "until revoked";

  ASSERT_EQ(count("token_rotated"), 1u);
  for (const LogLine& l : log()) {
    EXPECT_EQ(l.message.find(fresh["token"].get<std::string>()), std::string::npos);
    EXPECT_EQ(l.message.find(old["token"].get<std::string>()), std::string::npos);
  }
}

TEST_F(AdminTokenChangesTest, RotateWithGraceExpiresTheOldTokenThen) {
  const std::string old_id = mint(R"({"name": "a", "scopes": ["lake:read"]})")["token_id"];
  Answer a = rotate(old_id, R"({"grace_seconds": 3600})");
  ASSERT_EQ(a.response.status, 201) << a.response.body;
  Json old = get(old_id).body;
  EXPECT_EQ(old["expires_at"], "2027-01-15T09:00:00Z");
  EXPECT_EQ(old["status"], "active");
  EXPECT_EQ(old["rotated_to"], a.body["token_id"]);
  now_ += 3600;
  EXPECT_EQ(get(old_id).body["status"], "expired");
  EXPECT_EQ(get(a.body["token_id"]).body["status"], "active");
}

TEST_F(AdminTokenChangesTest, RotateWithGraceZeroExpiresTheOldTokenAtOnce) {
  const std::string old_id = mint(R"({"name": "a", "scopes": ["lake:read"]})")["token_id"];
  ASSERT_EQ(rotate(old_id, R"({"grace_seconds": 0})").response.status, 201);
  Json old = get(old_id).body;
  EXPECT_EQ(old["status"], "expired");
  EXPECT_EQ(old["expires_at"], "2027-01-15T08:00:00Z");
}

TEST_F(AdminTokenChangesTest, RotateNeverLengthensTheOldTokensLife) {
  const std::string old_id =
      mint(R"({"name": "a", "scopes": ["lake:read"], "expires_in": 600})")["token_id"];
  ASSERT_EQ(rotate(old_id, R"({"grace_seconds": 86400})").response.status, 201);
  EXPECT_EQ(get(old_id).body["expires_at"], "2027-01-15T08:10:00Z");
}

TEST_F(AdminTokenChangesTest, TheReplacementKeepsTheOldTokensLifetime) {
  const std::string old_id =
      mint(R"({"name": "a", "scopes": ["lake:read"], "expires_in": 86400})")["token_id"];
  now_ += 3600;
  Answer a = rotate(old_id);
  ASSERT_EQ(a.response.status, 201) << a.response.body;
  EXPECT_EQ(a.body["expires_at"], "2027-01-16T09:00:00Z");  // a day from the rotation
}

TEST_F(AdminTokenChangesTest, RotatingTheOnlyAdminTokenWithNoGraceKeepsAnAdmin) {
  Answer a = rotate(bootstrap_.token_id, R"({"grace_seconds": 0})");
  ASSERT_EQ(a.response.status, 201) << a.response.body;
  EXPECT_EQ(get(bootstrap_.token_id).body["status"], "expired");
  const Identity fresh = identity_of(a.body);
  EXPECT_EQ(call(fresh, "GET", "/v1/auth/me").body["scopes"], Json::array({"admin"}));
}

TEST_F(AdminTokenChangesTest, RotateRefusesATokenThatIsNotActive) {
  const std::string revoked = mint(R"({"name": "r", "scopes": ["lake:read"]})")["token_id"];
  ASSERT_EQ(revoke(revoked).response.status, 200);
  Answer a = rotate(revoked);
  expect_error(a, 409, "conflict");
  EXPECT_NE(a.body["message"].get<std::string>().find("revoked"), std::string::npos);

  const std::string expired =
      mint(R"({"name": "e", "scopes": ["lake:read"], "expires_in": 5})")["token_id"];
  now_ += 5;
  a = rotate(expired);
  expect_error(a, 409, "conflict");
  EXPECT_NE(a.body["message"].get<std::string>().find("expired"), std::string::npos);
}

TEST_F(AdminTokenChangesTest, RotateRefusesATokenRotatedAlready) {
  const std::string id = mint(R"({"name": "a", "scopes": ["lake:read"]})")["token_id"];
  Answer first = rotate(id);
  ASSERT_EQ(first.response.status, 201) << first.response.body;
  const std::string successor = first.body["token_id"];
  Answer a = rotate(id);
  expect_error(a, 409, "conflict");
  EXPECT_NE(a.body["message"].get<std::string>().find(successor), std::string::npos);
  EXPECT_EQ(count("token_rotated"), 1u);
}

TEST_F(AdminTokenChangesTest, RotateUnknownIs404AndBadBodyIs400) {
  expect_error(rotate("tok_nosuchtoken00000"), 404, "not_found");
  Answer a = rotate(bootstrap_.token_id, R"({"grace_seconds": -5})");
  expect_error(a, 400, "invalid_request");
  EXPECT_TRUE(a.body["message"].get<std::string>().starts_with("grace_seconds: "));
  a = rotate(bootstrap_.token_id, R"({"expires_in": 5})");
  expect_error(a, 400, "invalid_request");
  EXPECT_TRUE(a.body["message"].get<std::string>().starts_with("expires_in: "));
}

TEST_F(AdminTokenChangesTest, RotateCannotHandOutScopesTheCallerLacks) {
  const std::string writer = mint(R"({"name": "w", "scopes": ["lake:write"]})")["token_id"];
  const Identity manager =
      identity_of(mint(R"({"name": "m", "scopes": ["tokens:manage", "lake:read"]})"));
  Answer a = call(manager, "POST", "/v1/tokens/" + writer + "/rotate");
  expect_error(a, 403, "insufficient_scope");
  EXPECT_EQ(a.header("WWW-Authenticate"),
            R"(Bearer realm="fathom", error="insufficient_scope", scope="lake:write")");
  EXPECT_TRUE(get(writer).body["rotated_to"].is_null());

  const std::string reader = mint(R"({"name": "r", "scopes": ["lake:read"]})")["token_id"];
  EXPECT_EQ(call(manager, "POST", "/v1/tokens/" + reader + "/rotate").response.status, 201);
}

TEST_F(AdminTokenChangesTest, AStoreThatStoppedWritingIs503) {
  const std::string id = mint(R"({"name": "a", "scopes": ["lake:read"]})")["token_id"];
  fail_sync_ = true;
  expect_error(call(bootstrap_, "POST", "/v1/tokens", R"({"name": "b", "scopes": ["lake:read"]})"),
               503, "store_unavailable");
  expect_error(revoke(id), 503, "store_unavailable");
  expect_error(rotate(id), 503, "store_unavailable");
  // Reads still answer from memory.
  EXPECT_EQ(get(id).response.status, 200);
}

}  // namespace
}  // namespace fathom::admin::testing
