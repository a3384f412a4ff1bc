// Who may end whom (API.md "Scopes"): a token revokes or rotates only tokens whose every scope it
// holds, and may always revoke itself, so a stolen tokens:manage token cannot take out the admins
// and the auditors. And the last-admin rule counts only lasting admin tokens: an admin that
// expires in two seconds cannot revoke the real one.

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "integration/tokens/token_checks.h"
#include "support/token_api.h"

namespace fathom::test {
namespace {

using tokens::expect_insufficient_scope;

struct Caller {
  std::string label;
  std::vector<std::string> scopes;  // empty: each target acts on itself
};

bool holds(const std::vector<std::string>& scopes, const std::string& scope) {
  for (const std::string& s : scopes) {
    if (s == scope || s == "admin") return true;
  }
  return false;
}

// The scope of `target` the caller lacks, or nullopt when it may act on it. A token acting on
// itself needs only the route's own scope, tokens:manage (API.md's route table).
std::optional<std::string> lacking(const Caller& caller, const std::vector<std::string>& target) {
  if (caller.scopes.empty()) {
    if (holds(target, "tokens:manage")) return std::nullopt;
    return "tokens:manage";
  }
  for (const std::string& scope : target) {
    if (!holds(caller.scopes, scope)) return scope;
  }
  return std::nullopt;
}

TEST(TokensAuthority, RevokeAndRotateOnlyTokensWhoseEveryScopeTheCallerHolds) {
  TokenProxy p;
  TokenApi admin = p.admin();
  const std::vector<Caller> callers = {{"admin", {"admin"}},
                                       {"manager", {"tokens:manage"}},
                                       {"manager+reader", {"tokens:manage", "lake:read"}},
                                       {"self", {}}};
  const std::vector<std::vector<std::string>> targets = {
      {"admin"}, {"audit:read"}, {"lake:read"}, {"tokens:manage"}};
  const std::vector<std::string> operations = {"revoke", "rotate"};

  for (const Caller& caller : callers) {
    std::optional<TokenApi> as;
    if (!caller.scopes.empty()) {
      ApiReply minted = admin.mint("caller-" + caller.label, caller.scopes);
      ASSERT_EQ(minted.status, 201) << minted.describe();
      as.emplace(p.port(), minted.body["token"].get<std::string>());
    }
    for (const std::vector<std::string>& target_scopes : targets) {
      for (const std::string& op : operations) {
        const std::string cell = caller.label + " " + op + "s " + target_scopes[0];
        SCOPED_TRACE(cell);
        ApiReply target = admin.mint("target", target_scopes);
        ASSERT_EQ(target.status, 201) << target.describe();
        const std::string id = target.body["token_id"];
        const TokenApi actor = as ? *as : p.as(target.body["token"].get<std::string>());
        ApiReply answer = op == "revoke" ? actor.revoke(id) : actor.rotate(id);
        ApiReply after = admin.show(id);
        if (const std::optional<std::string> scope = lacking(caller, target_scopes)) {
          expect_insufficient_scope(answer.response, *scope);
          EXPECT_NE(answer.body.value("message", "").find(*scope), std::string::npos)
              << "the message does not name " << *scope << ": " << answer.describe();
          EXPECT_EQ(after.body["status"], "active") << after.describe();
          EXPECT_EQ(after.body["rotated_to"], nullptr) << after.describe();
        } else if (op == "revoke") {
          EXPECT_EQ(answer.status, 200) << answer.describe();
          EXPECT_EQ(after.body["status"], "revoked") << after.describe();
        } else {
          EXPECT_EQ(answer.status, 201) << answer.describe();
          EXPECT_NE(after.body["rotated_to"], nullptr) << after.describe();
        }
      }
    }
  }
  // Nothing a refused caller tried reached the bootstrap admin.
  EXPECT_EQ(admin.me().status, 200);
}

TEST(TokensAuthority, AStolenManagerTokenCannotLockTheOperatorOut) {
  TokenProxy p;
  TokenApi admin = p.admin();
  const std::string admin_id = admin.me().body["token_id"];
  ApiReply auditor = admin.mint("auditor", {"audit:read"});
  ApiReply manager = admin.mint("manager", {"tokens:manage", "lake:read", "lake:write"});
  ASSERT_EQ(auditor.status, 201);
  ASSERT_EQ(manager.status, 201);
  TokenApi thief = p.as(manager.body["token"].get<std::string>());
  expect_insufficient_scope(thief.revoke(admin_id).response, "admin");
  expect_insufficient_scope(thief.rotate(admin_id, 0).response, "admin");
  expect_insufficient_scope(thief.revoke(auditor.body["token_id"].get<std::string>()).response,
                            "audit:read");
  // The operator is still in, and ends the stolen token.
  EXPECT_EQ(admin.revoke(manager.body["token_id"].get<std::string>()).status, 200);
  EXPECT_EQ(p.as(auditor.body["token"].get<std::string>()).me().status, 200);
}

TEST(TokensLastAdmin, AnAdminThatExpiresInTwoSecondsCannotRevokeTheLastingOne) {
  TokenProxy p;
  TokenApi admin = p.admin();
  const std::string admin_id = admin.me().body["token_id"];
  ApiReply brief = admin.mint("brief-admin", {"admin"}, {{"expires_in", 2}});
  ASSERT_EQ(brief.status, 201) << brief.describe();
  TokenApi b = p.as(brief.body["token"].get<std::string>());

  ApiReply refused = b.revoke(admin_id);
  EXPECT_EQ(refused.status, 409) << refused.describe();
  EXPECT_EQ(refused.error(), "conflict") << refused.describe();
  // The admin itself is refused too: whoever asks.
  ApiReply self = admin.revoke(admin_id);
  EXPECT_EQ(self.status, 409) << self.describe();
  // Once brief is gone, the real admin is still there.
  std::this_thread::sleep_for(std::chrono::milliseconds(3200));
  tokens::expect_invalid_token(b.me().response, true);
  ApiReply me = admin.me();
  ASSERT_EQ(me.status, 200) << me.describe();
  EXPECT_EQ(me.body["status"], "active");

  // A lasting second admin (no expiry, or one more than a day away) lets it go.
  ApiReply lasting = admin.mint("lasting-admin", {"admin"}, {{"expires_in", 86400 * 2}});
  ASSERT_EQ(lasting.status, 201) << lasting.describe();
  EXPECT_EQ(p.as(lasting.body["token"].get<std::string>()).revoke(admin_id).status, 200);
}

}  // namespace
}  // namespace fathom::test
