// Tests the audit events of admin/token_changes.cpp against a real FileStore and FileAuditLog:
// one durable event per change with the caller as actor, none for a refused or no-op change, and
// a 503 that withholds the secret when the audit trail fails.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "route_harness.h"

namespace fathom::admin::testing {
namespace {

using AdminTokenAuditTest = RouteHarness;

TEST_F(AdminTokenAuditTest, MintRevokeAndRotateAreAudited) {
  const Json minted = mint(R"({"name": "a", "scopes": ["lake:read", "lake:write"]})");
  const std::string id = minted["token_id"];
  std::vector<AuditEvent> all = events();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].kind, "token.created");
  EXPECT_EQ(all[0].token_id, id);
  EXPECT_EQ(all[0].actor_token_id, bootstrap_.token_id);
  EXPECT_EQ(all[0].method, "POST");
  EXPECT_EQ(all[0].path, "/v1/tokens");
  EXPECT_EQ(all[0].status, 201);
  EXPECT_EQ(all[0].client, "127.0.0.1");
  EXPECT_EQ(all[0].user_agent, "admin-test/1.0");
  EXPECT_EQ(all[0].request_id, "test-request");
  EXPECT_EQ(all[0].time, kStart);
  EXPECT_EQ(all[0].detail, "scopes lake:read lake:write");
  EXPECT_TRUE(all[0].event_id.starts_with("evt_"));

  now_ += 10;
  Answer rotated =
      call(bootstrap_, "POST", "/v1/tokens/" + id + "/rotate", R"({"grace_seconds": 60})");
  ASSERT_EQ(rotated.response.status, 201) << rotated.response.body;
  const std::string fresh = rotated.body["token_id"];
  all = events();
  ASSERT_EQ(all.size(), 3u);
  std::vector<std::string> kinds{all[0].kind, all[1].kind};
  std::sort(kinds.begin(), kinds.end());
  EXPECT_EQ(kinds, (std::vector<std::string>{"token.created", "token.rotated"}));
  for (const AuditEvent& e : {all[0], all[1]}) {
    EXPECT_EQ(e.actor_token_id, bootstrap_.token_id);
    EXPECT_EQ(e.path, "/v1/tokens/" + id + "/rotate");
    if (e.kind == "token.rotated") {
      EXPECT_EQ(e.token_id, id);
      EXPECT_NE(e.detail.find("rotated to " + fresh), std::string::npos) << e.detail;
    } else {
      EXPECT_EQ(e.token_id, fresh);
      EXPECT_NE(e.detail.find("rotated from " + id), std::string::npos) << e.detail;
    }
  }

  ASSERT_EQ(call(bootstrap_, "DELETE", "/v1/tokens/" + fresh).response.status, 200);
  all = events();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].kind, "token.revoked");
  EXPECT_EQ(all[0].token_id, fresh);
  EXPECT_EQ(all[0].actor_token_id, bootstrap_.token_id);
  EXPECT_EQ(all[0].method, "DELETE");
  EXPECT_EQ(all[0].status, 200);

  // The token's own history, by its id: created by the rotation, then revoked.
  std::vector<std::string> history;
  for (const AuditEvent& e : events(events_of(fresh))) history.push_back(e.kind);
  EXPECT_EQ(history, (std::vector<std::string>{"token.revoked", "token.created"}));

  // No secret in the trail.
  for (const AuditEvent& e : events()) {
    EXPECT_EQ(e.detail.find("fth_"), std::string::npos) << e.detail;
  }
}

TEST_F(AdminTokenAuditTest, RefusedAndNoOpChangesWriteNoEvent) {
  const std::string id = mint(R"({"name": "a", "scopes": ["lake:read"]})")["token_id"];
  ASSERT_EQ(call(bootstrap_, "DELETE", "/v1/tokens/" + id).response.status, 200);
  const size_t before = events().size();
  ASSERT_EQ(before, 2u);
  EXPECT_EQ(call(bootstrap_, "DELETE", "/v1/tokens/" + id).response.status, 200);  // no-op
  expect_error(call(bootstrap_, "DELETE", "/v1/tokens/" + bootstrap_.token_id), 409, "conflict");
  expect_error(call(bootstrap_, "POST", "/v1/tokens", R"({"name": ""})"), 400, "invalid_request");
  expect_error(call(bootstrap_, "POST", "/v1/tokens/" + id + "/rotate"), 409, "conflict");
  expect_error(call(bootstrap_, "DELETE", "/v1/tokens/tok_nosuchtoken00000"), 404, "not_found");
  const Identity reader = identity_of(mint(R"({"name": "r", "scopes": ["tokens:manage"]})"));
  const size_t after_mint = events().size();
  expect_error(call(reader, "POST", "/v1/tokens", R"({"name": "x", "scopes": ["lake:write"]})"),
               403, "insufficient_scope");
  EXPECT_EQ(after_mint, before + 1);
  EXPECT_EQ(events().size(), after_mint);
}

TEST_F(AdminTokenAuditTest, AFailedAuditTrailWithholdsTheSecretThenRefusesEveryChange) {
  const std::string id = mint(R"({"name": "a", "scopes": ["lake:read"]})")["token_id"];
  fail_audit_sync_ = true;
  Answer a = call(bootstrap_, "POST", "/v1/tokens", R"({"name": "b", "scopes": ["lake:read"]})");
  expect_error(a, 503, "store_unavailable");
  const std::string message = a.body["message"];
  EXPECT_NE(message.find("was created, but the audit trail could not record it"), std::string::npos)
      << message;
  EXPECT_EQ(a.response.body.find("fth_"), std::string::npos) << "the secret is withheld";
  bool logged = false;
  for (const LogLine& l : log()) logged |= l.event == "change_unaudited";
  EXPECT_TRUE(logged);

  // Now the log says it cannot write: every change is refused before the store is touched.
  for (Answer refused :
       {call(bootstrap_, "DELETE", "/v1/tokens/" + id),
        call(bootstrap_, "POST", "/v1/tokens/" + id + "/rotate"),
        call(bootstrap_, "POST", "/v1/tokens", R"({"name": "c", "scopes": ["lake:read"]})")}) {
    expect_error(refused, 503, "store_unavailable");
    EXPECT_NE(refused.body["message"].get<std::string>().find("no change was made"),
              std::string::npos);
  }
  const Json still = call(bootstrap_, "GET", "/v1/tokens/" + id).body;
  EXPECT_EQ(still["status"], "active");
  EXPECT_TRUE(still["rotated_to"].is_null());
}

}  // namespace
}  // namespace fathom::admin::testing
