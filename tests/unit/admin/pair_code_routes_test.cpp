// Tests admin/pair_code_routes.cpp against a real FileStore and FileAuditLog: creating (with the
// no-escalation rule), listing, cancelling and redeeming pair codes, the failure limit, and the
// audit events of each change.

#include "pair_code_routes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "route_harness.h"

namespace fathom::admin::testing {
namespace {

class AdminPairCodeTest : public RouteHarness {
 protected:
  Json create(const std::string& body) {
    Answer a = call(bootstrap_, "POST", "/v1/pair-codes", body);
    EXPECT_EQ(a.response.status, 201) << a.response.body;
    return a.body;
  }
  Answer redeem(const std::string& code, const std::string& client = "192.0.2.7") {
    return call(TestRequest("POST", "/v1/pair", "", nullptr, client, "agent/2.0"),
                Json{{"code", code}}.dump());
  }
  std::vector<AuditEvent> events_of_kind(const std::string& kind) {
    std::vector<AuditEvent> out;
    for (AuditEvent& e : events()) {
      if (e.kind == kind) out.push_back(std::move(e));
    }
    return out;
  }
};

TEST_F(AdminPairCodeTest, CreateAnswers201WithTheCodeOnce) {
  Answer a = call(bootstrap_, "POST", "/v1/pair-codes",
                  R"({"name": "laptop-agent", "scopes": ["lake:read", "lake:write"]})");
  ASSERT_EQ(a.response.status, 201) << a.response.body;
  const Json& c = a.body;
  EXPECT_TRUE(c["pair_code_id"].get<std::string>().starts_with("pc_"));
  EXPECT_TRUE(c["code"].get<std::string>().starts_with("pair_"));
  EXPECT_EQ(c["name"], "laptop-agent");
  EXPECT_EQ(c["scopes"], Json::array({"lake:read", "lake:write"}));
  EXPECT_EQ(c["expires_at"], "2027-01-15T08:10:00Z");  // the default ten minutes
  EXPECT_EQ(c.size(), 5u);

  Answer list = call(bootstrap_, "GET", "/v1/pair-codes");
  ASSERT_EQ(list.response.status, 200) << list.response.body;
  ASSERT_EQ(list.body["pair_codes"].size(), 1u);
  const Json& listed = list.body["pair_codes"][0];
  EXPECT_EQ(listed, (Json{{"pair_code_id", c["pair_code_id"]},
                          {"name", "laptop-agent"},
                          {"scopes", {"lake:read", "lake:write"}},
                          {"created_at", "2027-01-15T08:00:00Z"},
                          {"created_by", bootstrap_.token_id},
                          {"expires_at", "2027-01-15T08:10:00Z"}}));
  for (const LogLine& l : log()) EXPECT_EQ(l.message.find(c["code"]), std::string::npos);
}

TEST_F(AdminPairCodeTest, CreateTakesATtlFrom60To86400) {
  EXPECT_EQ(create(R"({"name": "a", "scopes": ["lake:read"], "ttl_seconds": 60})")["expires_at"],
            "2027-01-15T08:01:00Z");
  EXPECT_EQ(create(R"({"name": "b", "scopes": ["lake:read"], "ttl_seconds": 86400})")["expires_at"],
            "2027-01-16T08:00:00Z");
  for (const char* ttl : {"59", "86401", "600.5", "\"600\"", "-1"}) {
    Answer a =
        call(bootstrap_, "POST", "/v1/pair-codes",
             std::string(R"({"name": "c", "scopes": ["lake:read"], "ttl_seconds": )") + ttl + "}");
    expect_error(a, 400, "invalid_request");
    EXPECT_TRUE(a.body["message"].get<std::string>().starts_with("ttl_seconds: ")) << ttl;
  }
}

TEST_F(AdminPairCodeTest, CreateRefusesABadBodyNamingTheField) {
  struct Case {
    const char* body;
    const char* field;
  };
  for (const Case& c :
       {Case{R"({"scopes": ["lake:read"]})", "name: "}, Case{R"({"name": "a"})", "scopes: "},
        Case{R"({"name": "a", "scopes": []})", "scopes: "},
        Case{R"({"name": "a", "scopes": ["Lake"]})", "scopes[0]: "},
        Case{R"({"name": "a", "scopes": ["lake:read"], "x": 1})", "x: "}, Case{"[]", "body: "}}) {
    Answer a = call(bootstrap_, "POST", "/v1/pair-codes", c.body);
    expect_error(a, 400, "invalid_request");
    EXPECT_TRUE(a.body["message"].get<std::string>().starts_with(c.field)) << a.response.body;
  }
  EXPECT_TRUE(events().empty()) << "a refused request changes nothing";
}

TEST_F(AdminPairCodeTest, CreateCannotGrantAScopeTheCallerLacks) {
  const Identity manager =
      identity_of(mint(R"({"name": "m", "scopes": ["tokens:manage", "lake:read"]})"));
  const size_t before = events().size();
  for (const char* scope : {"lake:write", "admin", "audit:read"}) {
    Answer a = call(manager, "POST", "/v1/pair-codes",
                    std::string(R"({"name": "x", "scopes": ["lake:read", ")") + scope + "\"]}");
    expect_error(a, 403, "insufficient_scope");
    EXPECT_EQ(a.header("WWW-Authenticate"),
              std::string(R"(Bearer realm="fathom", error="insufficient_scope", scope=")") + scope +
                  "\"");
  }
  EXPECT_EQ(events().size(), before);
  EXPECT_TRUE(call(bootstrap_, "GET", "/v1/pair-codes").body["pair_codes"].empty());
  Answer ok = call(manager, "POST", "/v1/pair-codes", R"({"name": "y", "scopes": ["lake:read"]})");
  EXPECT_EQ(ok.response.status, 201) << ok.response.body;
}

TEST_F(AdminPairCodeTest, RedeemMintsTheCodesTokenOnce) {
  const Identity manager =
      identity_of(mint(R"({"name": "m", "scopes": ["tokens:manage", "lake:read"]})"));
  Answer made = call(manager, "POST", "/v1/pair-codes",
                     R"({"name": "agent-7", "scopes": ["lake:read"], "ttl_seconds": 120})");
  ASSERT_EQ(made.response.status, 201) << made.response.body;
  now_ += 30;
  Answer a = redeem(made.body["code"]);
  ASSERT_EQ(a.response.status, 201) << a.response.body;
  const Json& t = a.body;
  EXPECT_TRUE(t["token"].get<std::string>().starts_with("fth_"));
  EXPECT_EQ(t["name"], "agent-7");
  EXPECT_EQ(t["scopes"], Json::array({"lake:read"}));
  EXPECT_EQ(t["created_by"], manager.token_id);
  EXPECT_EQ(t["created_at"], "2027-01-15T08:00:30Z");
  EXPECT_EQ(t["status"], "active");
  EXPECT_EQ(call(bootstrap_, "GET", "/v1/tokens/" + t["token_id"].get<std::string>()).body["name"],
            "agent-7");
  EXPECT_TRUE(limit_.failures().empty());

  // Used: the same code again is invalid_grant, and counts as a failure.
  expect_error(redeem(made.body["code"]), 400, "invalid_grant");
  EXPECT_EQ(limit_.failures(), std::vector<std::string>{"192.0.2.7"});
  EXPECT_TRUE(call(bootstrap_, "GET", "/v1/pair-codes").body["pair_codes"].empty());
}

TEST_F(AdminPairCodeTest, UnknownCancelledExpiredAndMalformedCodesAreInvalidGrant) {
  const Json cancelled = create(R"({"name": "a", "scopes": ["lake:read"]})");
  ASSERT_EQ(
      call(bootstrap_, "DELETE", "/v1/pair-codes/" + cancelled["pair_code_id"].get<std::string>())
          .response.status,
      200);
  const Json expired = create(R"({"name": "b", "scopes": ["lake:read"], "ttl_seconds": 60})");
  now_ += 60;
  const std::vector<std::string> codes = {
      cancelled["code"],
      expired["code"],
      "pair_999999999999999999999999",  // well formed, never issued
      "pair_short",
      "fth_0123456789abcdefghijklmnopqrstuvwxyzAB",
      "pair_99999999999999999999999!",
      ""};
  for (const std::string& code : codes) {
    Answer a = redeem(code);
    expect_error(a, 400, "invalid_grant");
    // One message for all of them, and never the code.
    EXPECT_EQ(a.body["message"],
              "The pair code is unknown, used, cancelled or expired; ask for a new one.");
  }
  EXPECT_EQ(limit_.failures().size(), codes.size());
  EXPECT_TRUE(events_of_kind("pair_code.redeemed").empty());
  EXPECT_TRUE(events_of_kind("token.created").empty());
}

TEST_F(AdminPairCodeTest, ABadBodyIsInvalidRequestAndNotAFailure) {
  for (const char* body : {"", "not json", R"({"code": 5})", R"({})", R"({"code": "x", "y": 1})"}) {
    Answer a = call(TestRequest("POST", "/v1/pair", "", nullptr), body);
    expect_error(a, 400, "invalid_request");
  }
  EXPECT_TRUE(limit_.failures().empty());
}

TEST_F(AdminPairCodeTest, AnAddressOverTheLimitIs429BeforeItsCodeIsLookedAt) {
  const Json made = create(R"({"name": "a", "scopes": ["lake:read"]})");
  limit_.wait = 17;
  Answer a = redeem(made["code"]);
  expect_error(a, 429, "rate_limited");
  EXPECT_EQ(a.header("Retry-After"), "17");
  EXPECT_TRUE(limit_.failures().empty());
  limit_.wait = 0;
  EXPECT_EQ(redeem(made["code"]).response.status, 201) << "the code was not spent";
}

TEST_F(AdminPairCodeTest, ConcurrentRedeemsOfOneCodeYieldOneToken) {
  const std::string code = create(R"({"name": "a", "scopes": ["lake:read"]})")["code"];
  std::vector<std::thread> threads;
  std::atomic<int> created{0}, refused{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      const int status = redeem(code).response.status;
      (status == 201 ? created : refused) += 1;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(refused.load(), 7);
  EXPECT_EQ(events_of_kind("pair_code.redeemed").size(), 1u);
}

TEST_F(AdminPairCodeTest, CancelAnswersTheCodeThen404) {
  const Json made = create(R"({"name": "a", "scopes": ["lake:read"]})");
  const std::string id = made["pair_code_id"];
  now_ += 5;
  Answer a = call(bootstrap_, "DELETE", "/v1/pair-codes/" + id);
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  EXPECT_EQ(a.body["pair_code_id"], id);
  EXPECT_EQ(a.body["name"], "a");
  EXPECT_EQ(a.body["cancelled_at"], "2027-01-15T08:00:05Z");
  EXPECT_FALSE(a.body.contains("code"));
  expect_error(call(bootstrap_, "DELETE", "/v1/pair-codes/" + id), 404, "not_found");
  expect_error(call(bootstrap_, "DELETE", "/v1/pair-codes/pc_nosuchcode000000"), 404, "not_found");
  // A code pasted where its id belongs is not echoed back.
  Answer pasted = call(bootstrap_, "DELETE", "/v1/pair-codes/" + made["code"].get<std::string>());
  expect_error(pasted, 404, "not_found");
  EXPECT_EQ(pasted.response.body.find(made["code"].get<std::string>()), std::string::npos);
  EXPECT_EQ(events_of_kind("pair_code.cancelled").size(), 1u);
}

TEST_F(AdminPairCodeTest, ListShowsOnlyPendingCodesOldestFirst) {
  const Json a = create(R"({"name": "a", "scopes": ["lake:read"], "ttl_seconds": 60})");
  now_ += 1;
  const Json b = create(R"({"name": "b", "scopes": ["lake:read"]})");
  now_ += 1;
  const Json c = create(R"({"name": "c", "scopes": ["lake:read"]})");
  ASSERT_EQ(redeem(c["code"]).response.status, 201);
  now_ += 60;  // a has expired
  Answer list = call(bootstrap_, "GET", "/v1/pair-codes");
  ASSERT_EQ(list.response.status, 200);
  ASSERT_EQ(list.body["pair_codes"].size(), 1u);
  EXPECT_EQ(list.body["pair_codes"][0]["pair_code_id"], b["pair_code_id"]);
  expect_error(call(bootstrap_, "GET", "/v1/pair-codes", "", "status=all"), 400, "invalid_request");
}

TEST_F(AdminPairCodeTest, WrongMethodsUnknownRoutesAndNoIdentity) {
  struct Case {
    const char* method;
    std::string path;
    const char* allow;
  };
  for (const Case& c :
       {Case{"PUT", "/v1/pair-codes", "GET, HEAD, POST"},
        Case{"GET", "/v1/pair-codes/pc_x", "DELETE"}, Case{"GET", "/v1/pair", "POST"}}) {
    Answer a = call(bootstrap_, c.method, c.path);
    expect_error(a, 405, "method_not_allowed");
    EXPECT_EQ(a.header("Allow"), c.allow) << c.method << " " << c.path;
  }
  expect_error(call(bootstrap_, "GET", "/v1/pair-codes/pc_x/y"), 404, "not_found");
  expect_error(call(bootstrap_, "POST", "/v1/pair/x"), 404, "not_found");
  expect_error(call(nullptr, "GET", "/v1/pair-codes"), 401, "invalid_token");
}

TEST_F(AdminPairCodeTest, EachChangeIsAuditedWithItsActor) {
  const Json made = create(R"({"name": "agent", "scopes": ["lake:read"]})");
  const std::string pc = made["pair_code_id"];
  Answer token = redeem(made["code"]);
  ASSERT_EQ(token.response.status, 201);
  const std::string tok = token.body["token_id"];
  const Json other = create(R"({"name": "other", "scopes": ["lake:read"]})");
  ASSERT_EQ(call(bootstrap_, "DELETE", "/v1/pair-codes/" + other["pair_code_id"].get<std::string>())
                .response.status,
            200);

  const std::vector<AuditEvent> all = events();
  ASSERT_EQ(all.size(), 5u);
  // Newest first.
  EXPECT_EQ(all[0].kind, "pair_code.cancelled");
  EXPECT_EQ(all[0].pair_code_id, other["pair_code_id"]);
  EXPECT_EQ(all[0].actor_token_id, bootstrap_.token_id);
  EXPECT_EQ(all[0].method, "DELETE");
  EXPECT_EQ(all[0].status, 200);
  EXPECT_EQ(all[1].kind, "pair_code.created");
  std::vector<std::string> redeem_kinds{all[2].kind, all[3].kind};
  std::sort(redeem_kinds.begin(), redeem_kinds.end());
  EXPECT_EQ(redeem_kinds, (std::vector<std::string>{"pair_code.redeemed", "token.created"}));
  for (const AuditEvent& e : {all[2], all[3]}) {
    EXPECT_EQ(e.token_id, tok);
    EXPECT_EQ(e.pair_code_id, pc);
    EXPECT_TRUE(e.actor_token_id.empty()) << "a redeem is made by the code, not a token";
    EXPECT_EQ(e.method, "POST");
    EXPECT_EQ(e.path, "/v1/pair");
    EXPECT_EQ(e.status, 201);
    EXPECT_EQ(e.client, "192.0.2.7");
    EXPECT_EQ(e.user_agent, "agent/2.0");
    EXPECT_EQ(e.request_id, "test-request");
  }
  const AuditEvent& created = all[4];
  EXPECT_EQ(created.kind, "pair_code.created");
  EXPECT_EQ(created.pair_code_id, pc);
  EXPECT_TRUE(created.token_id.empty());
  EXPECT_EQ(created.actor_token_id, bootstrap_.token_id);
  EXPECT_EQ(created.path, "/v1/pair-codes");
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(created.time, kStart);
  // No secret anywhere in the trail.
  for (const AuditEvent& e : all) {
    for (const std::string& field : {e.detail, e.token_id, e.path, e.pair_code_id}) {
      EXPECT_EQ(field.find(made["code"].get<std::string>()), std::string::npos);
      EXPECT_EQ(field.find(token.body["token"].get<std::string>()), std::string::npos);
    }
  }
}

TEST_F(AdminPairCodeTest, AFailedAuditLogRefusesChangesBeforeMakingThem) {
  const Json made = create(R"({"name": "a", "scopes": ["lake:read"]})");
  fail_audit_sync_ = true;
  // The next durable write finds out: the code is created, but not acknowledged.
  Answer a =
      call(bootstrap_, "POST", "/v1/pair-codes", R"({"name": "b", "scopes": ["lake:read"]})");
  expect_error(a, 503, "store_unavailable");
  EXPECT_NE(a.body["message"].get<std::string>().find("was created, but the audit trail"),
            std::string::npos)
      << a.response.body;
  EXPECT_EQ(a.response.body.find("pair_0"), std::string::npos) << "the code is withheld";
  // From then on nothing changes: the refusal comes first.
  const size_t codes = call(bootstrap_, "GET", "/v1/pair-codes").body["pair_codes"].size();
  a = redeem(made["code"]);
  expect_error(a, 503, "store_unavailable");
  EXPECT_NE(a.body["message"].get<std::string>().find("no change was made"), std::string::npos);
  expect_error(
      call(bootstrap_, "DELETE", "/v1/pair-codes/" + made["pair_code_id"].get<std::string>()), 503,
      "store_unavailable");
  EXPECT_EQ(call(bootstrap_, "GET", "/v1/pair-codes").body["pair_codes"].size(), codes);
  EXPECT_TRUE(limit_.failures().empty());
}

}  // namespace
}  // namespace fathom::admin::testing
