// Replacing a token: the manual rotation guide as a user follows it (list, mint a replacement,
// confirm it, revoke the old one), POST /v1/tokens/{id}/rotate with and without a grace period,
// and tokens that expire on their own.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>

#include "integration/tokens/token_checks.h"
#include "support/token_api.h"

namespace fathom::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using tokens::expect_invalid_token;
using tokens::get_stats;

const nlohmann::json* find_token(const nlohmann::json& list, std::string_view id) {
  if (!list.contains("tokens")) return nullptr;
  for (const nlohmann::json& t : list["tokens"]) {
    if (t.value("token_id", "") == id) return &t;
  }
  return nullptr;
}

// Polls /v1/stats with `token` until it is refused. Expiry has whole-second resolution, so the
// caller gives a bound a few seconds past the expected moment; only a token that never stops
// working fails.
Response wait_until_refused(uint16_t port, const std::string& token, milliseconds bound) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    Response r = get_stats(port, token);
    if (r.status != 200 || std::chrono::steady_clock::now() > deadline) return r;
    std::this_thread::sleep_for(milliseconds(100));
  }
}

TEST(TokensRotation, ManualRotationGuideStepByStep) {
  TokenProxy p;
  TokenApi admin = p.admin();
  ApiReply old = admin.mint("laptop", {"lake:read", "lake:write"});
  ASSERT_EQ(old.status, 201) << old.describe();
  const std::string old_id = old.body["token_id"];
  const std::string old_secret = old.body["token"];
  ASSERT_EQ(get_stats(p.port(), old_secret).status, 200);

  // Step 1: list the tokens and find the one to replace.
  ApiReply listed = admin.list();
  ASSERT_EQ(listed.status, 200) << listed.describe();
  const nlohmann::json* entry = find_token(listed.body, old_id);
  ASSERT_NE(entry, nullptr) << "the old token is not in the list: " << listed.describe();
  EXPECT_EQ((*entry)["status"], "active");
  EXPECT_FALSE(entry->contains("token")) << "a listing must never show a secret";

  // Step 2: mint the replacement with the same scopes as the listing shows.
  ApiReply fresh = admin.mint("laptop-2", (*entry)["scopes"].get<std::vector<std::string>>());
  ASSERT_EQ(fresh.status, 201) << fresh.describe();
  EXPECT_EQ(fresh.body["scopes"], (*entry)["scopes"]);
  const std::string new_secret = fresh.body["token"];

  // Step 3: confirm that the new token works against the lake.
  Response confirmed = get_stats(p.port(), new_secret);
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_EQ(confirmed.json().value("status", ""), "ok") << "not the lake's /v1/stats answer";

  // Step 4: revoke the old one.
  ApiReply revoked = admin.revoke(old_id);
  ASSERT_EQ(revoked.status, 200) << revoked.describe();
  EXPECT_EQ(revoked.body["status"], "revoked");
  EXPECT_TRUE(revoked.body["revoked_at"].is_string()) << revoked.describe();

  // Step 5: the old token is refused at once; the new one goes on working.
  expect_invalid_token(get_stats(p.port(), old_secret), true);
  EXPECT_EQ(get_stats(p.port(), new_secret).status, 200);

  ApiReply active = admin.list("active");
  EXPECT_EQ(find_token(active.body, old_id), nullptr) << active.describe();
  EXPECT_NE(find_token(active.body, fresh.body["token_id"].get<std::string>()), nullptr);
  ApiReply revoked_list = admin.list("revoked");
  ASSERT_NE(find_token(revoked_list.body, old_id), nullptr) << revoked_list.describe();
}

TEST(TokensRotation, WithoutGraceTheOldTokenStaysActiveAndTheChainIsRecorded) {
  TokenProxy p;
  TokenApi admin = p.admin();
  ApiReply old = admin.mint("ci", {"lake:read"});
  ASSERT_EQ(old.status, 201) << old.describe();
  const std::string old_id = old.body["token_id"];

  ApiReply rotated = admin.rotate(old_id);
  ASSERT_EQ(rotated.status, 201) << rotated.describe();
  const std::string new_id = rotated.body["token_id"];
  EXPECT_NE(new_id, old_id);
  EXPECT_EQ(rotated.body["rotated_from"], old_id);
  EXPECT_EQ(rotated.body["name"], "ci") << "a rotation keeps the name";
  EXPECT_EQ(rotated.body["scopes"], nlohmann::json({"lake:read"})) << "and the scopes";
  ASSERT_TRUE(rotated.body["token"].is_string());
  EXPECT_TRUE(tokens::well_formed_token(rotated.body["token"].get<std::string>()));

  ApiReply old_now = admin.show(old_id);
  ASSERT_EQ(old_now.status, 200) << old_now.describe();
  EXPECT_EQ(old_now.body["rotated_to"], new_id);
  EXPECT_EQ(old_now.body["status"], "active") << "without a grace the old token stays active";
  EXPECT_TRUE(old_now.body["expires_at"].is_null()) << old_now.describe();

  EXPECT_EQ(get_stats(p.port(), old.body["token"].get<std::string>()).status, 200);
  EXPECT_EQ(get_stats(p.port(), rotated.body["token"].get<std::string>()).status, 200);

  // A second rotation of the same token would fork the chain.
  ApiReply again = admin.rotate(old_id);
  EXPECT_EQ(again.status, 409) << again.describe();
  EXPECT_EQ(again.error(), "conflict");
}

TEST(TokensRotation, WithGraceTheOldTokenWorksUntilTheGraceEnds) {
  TokenProxy p;
  TokenApi admin = p.admin();
  ApiReply old = admin.mint("deploy", {"lake:read", "lake:write"});
  ASSERT_EQ(old.status, 201) << old.describe();
  const std::string old_id = old.body["token_id"];
  const std::string old_secret = old.body["token"];
  ASSERT_EQ(get_stats(p.port(), old_secret).status, 200);  // cached as valid from here on

  ApiReply rotated = admin.rotate(old_id, 3);
  ASSERT_EQ(rotated.status, 201) << rotated.describe();
  const std::string new_secret = rotated.body["token"];
  EXPECT_EQ(rotated.body["rotated_from"], old_id);

  // Inside the grace (3 s, whole seconds: at least 2 s are left) both work.
  EXPECT_EQ(get_stats(p.port(), old_secret).status, 200) << "the grace was not honoured";
  EXPECT_EQ(get_stats(p.port(), new_secret).status, 200);
  ApiReply during = admin.show(old_id);
  EXPECT_EQ(during.body["status"], "active") << during.describe();
  EXPECT_EQ(during.body["rotated_to"], rotated.body["token_id"]);
  EXPECT_TRUE(during.body["expires_at"].is_string()) << "the grace sets the old token's expiry";

  // After it, the old token is refused, even though the cache knew it as valid.
  expect_invalid_token(wait_until_refused(p.port(), old_secret, seconds(8)), true);
  EXPECT_EQ(admin.show(old_id).body["status"], "expired");
  EXPECT_EQ(get_stats(p.port(), new_secret).status, 200);
}

TEST(TokensRotation, ZeroGraceEndsTheOldTokenAtOnce) {
  TokenProxy p;
  TokenApi admin = p.admin();
  ApiReply old = admin.mint("deploy", {"lake:read"});
  ASSERT_EQ(old.status, 201) << old.describe();
  const std::string old_secret = old.body["token"];
  ASSERT_EQ(get_stats(p.port(), old_secret).status, 200);

  ApiReply rotated = admin.rotate(old.body["token_id"].get<std::string>(), 0);
  ASSERT_EQ(rotated.status, 201) << rotated.describe();
  expect_invalid_token(get_stats(p.port(), old_secret), true);
  EXPECT_EQ(get_stats(p.port(), rotated.body["token"].get<std::string>()).status, 200);
}

TEST(TokensRotation, RevokedTokenCannotBeRotated) {
  TokenProxy p;
  TokenApi admin = p.admin();
  ApiReply old = admin.mint("gone", {"lake:read"});
  ASSERT_EQ(old.status, 201) << old.describe();
  ASSERT_EQ(admin.revoke(old.body["token_id"].get<std::string>()).status, 200);
  ApiReply rotated = admin.rotate(old.body["token_id"].get<std::string>());
  EXPECT_EQ(rotated.status, 409) << rotated.describe();
  EXPECT_EQ(rotated.error(), "conflict");
}

TEST(TokensExpiry, TokenWorksUntilExpiresInThenIs401AndListedAsExpired) {
  TokenProxy p;
  TokenApi admin = p.admin();
  // 3 s: whole-second resolution leaves at least 2 s for the "still works" checks.
  ApiReply minted = admin.mint("short-lived", {"lake:read"}, {{"expires_in", 3}});
  ASSERT_EQ(minted.status, 201) << minted.describe();
  const std::string id = minted.body["token_id"];
  const std::string secret = minted.body["token"];
  EXPECT_TRUE(minted.body["expires_at"].is_string()) << minted.describe();
  EXPECT_EQ(get_stats(p.port(), secret).status, 200);
  EXPECT_EQ(p.as(secret).me().status, 200);

  expect_invalid_token(wait_until_refused(p.port(), secret, seconds(8)), true);
  expect_invalid_token(p.as(secret).me().response, true);
  EXPECT_EQ(admin.show(id).body["status"], "expired");
  ApiReply expired = admin.list("expired");
  EXPECT_NE(find_token(expired.body, id), nullptr) << expired.describe();
  EXPECT_EQ(find_token(admin.list("active").body, id), nullptr);
  EXPECT_NE(find_token(admin.list("all").body, id), nullptr);
}

TEST(TokensExpiry, ExpiresAtIsHonoured) {
  TokenProxy p;
  TokenApi admin = p.admin();
  // An absolute time 3 s ahead, formatted as API.md's RFC 3339 UTC with a Z.
  std::time_t at = std::time(nullptr) + 3;
  std::tm utc{};
  ::gmtime_r(&at, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  ApiReply minted = admin.mint("until", {"lake:read"}, {{"expires_at", text}});
  ASSERT_EQ(minted.status, 201) << minted.describe();
  EXPECT_EQ(minted.body["expires_at"], text);
  const std::string secret = minted.body["token"];
  EXPECT_EQ(get_stats(p.port(), secret).status, 200);
  expect_invalid_token(wait_until_refused(p.port(), secret, seconds(8)), true);
}

}  // namespace
}  // namespace fathom::test
