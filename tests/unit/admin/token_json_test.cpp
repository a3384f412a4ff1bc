// Tests admin/token_json.cpp: the Token object of API.md, field by field.

#include "token_json.h"

#include <gtest/gtest.h>

namespace fathom::admin {
namespace {

constexpr UnixTime kNow = 1800000000;  // 2027-01-15T08:00:00Z

TokenRecord fresh() {
  TokenRecord r;
  r.token_id = "tok_3kTq9aZb0Xc1Vd2E";
  r.secret_hash = "deadbeef";
  r.name = "claude-code-laptop";
  r.scopes = {"lake:read", "lake:write"};
  r.created_at = kNow - 3600;
  return r;
}

TEST(AdminTokenJson, FreshTokenHasEveryFieldInOrderAndNullsForTheAbsent) {
  const Json j = token_json(fresh(), kNow);
  EXPECT_EQ(j.dump(),
            R"({"token_id":"tok_3kTq9aZb0Xc1Vd2E","name":"claude-code-laptop",)"
            R"("scopes":["lake:read","lake:write"],"status":"active",)"
            R"("created_at":"2027-01-15T07:00:00Z","created_by":null,"last_used_at":null,)"
            R"("expires_at":null,"revoked_at":null,"rotated_from":null,"rotated_to":null})");
}

TEST(AdminTokenJson, NeverShowsTheSecretHash) {
  const Json j = token_json(fresh(), kNow);
  EXPECT_FALSE(j.contains("secret_hash"));
  EXPECT_EQ(j.dump().find("deadbeef"), std::string::npos);
}

TEST(AdminTokenJson, ShowsEveryTimeAndIdThatIsSet) {
  TokenRecord r = fresh();
  r.created_by = "tok_0000bootstrap00";
  r.last_used_at = kNow - 60;
  r.expires_at = kNow + 86400;
  r.rotated_from = "tok_aaaaaaaaaaaaaaaa";
  r.rotated_to = "tok_bbbbbbbbbbbbbbbb";
  const Json j = token_json(r, kNow);
  EXPECT_EQ(j["created_by"], "tok_0000bootstrap00");
  EXPECT_EQ(j["last_used_at"], "2027-01-15T07:59:00Z");
  EXPECT_EQ(j["expires_at"], "2027-01-16T08:00:00Z");
  EXPECT_EQ(j["rotated_from"], "tok_aaaaaaaaaaaaaaaa");
  EXPECT_EQ(j["rotated_to"], "tok_bbbbbbbbbbbbbbbb");
  EXPECT_EQ(j["status"], "active");
}

TEST(AdminTokenJson, StatusIsComputedAtNow) {
  TokenRecord r = fresh();
  r.expires_at = kNow + 10;
  EXPECT_EQ(token_json(r, kNow)["status"], "active");
  EXPECT_EQ(token_json(r, kNow + 9)["status"], "active");
  EXPECT_EQ(token_json(r, kNow + 10)["status"], "expired");  // expires_at is the first bad second
  r.revoked_at = kNow + 5;
  EXPECT_EQ(token_json(r, kNow)["status"], "revoked");
  EXPECT_EQ(token_json(r, kNow + 100)["status"], "revoked");  // revoked wins over expired
  EXPECT_EQ(token_json(r, kNow)["revoked_at"], "2027-01-15T08:00:05Z");
}

TEST(AdminMintedTokenJson, IsTheTokenPlusTheSecret) {
  const Json j = minted_token_json(fresh(), "fth_secret", kNow);
  EXPECT_EQ(j["token"], "fth_secret");
  Json without = j;
  without.erase("token");
  EXPECT_EQ(without, token_json(fresh(), kNow));
}

}  // namespace
}  // namespace fathom::admin
