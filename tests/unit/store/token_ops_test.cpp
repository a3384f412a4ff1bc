// Tests proxy/store/token_ops.cpp: the rules of create, revoke and rotate, without files.

#include "store/token_ops.h"

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace fathom::store {
namespace {

using store_test::make_admin;
using store_test::make_token;

TEST(StoreTokenOps, CreateRefusesDuplicateIdAndHash) {
  TokenIndex index;
  PairCodeIndex codes;
  EXPECT_EQ(apply_create(index, make_token("tok_a")).result.status, StoreStatus::ok);

  Applied same_id = apply_create(index, make_token("tok_a"));
  EXPECT_EQ(same_id.result.status, StoreStatus::conflict);
  EXPECT_EQ(same_id.result.message, "token id tok_a already exists");
  EXPECT_TRUE(same_id.puts.empty());

  TokenRecord same_hash = make_token("tok_b");
  same_hash.secret_hash = "hash-tok_a";
  Applied refused = apply_create(index, same_hash);
  EXPECT_EQ(refused.result.status, StoreStatus::conflict);
  EXPECT_EQ(refused.result.message, "a token with that secret hash already exists");
  EXPECT_EQ(index.size(), 1u);
}

TEST(StoreTokenOps, ExpiredAdminDoesNotCountAsAnotherAdmin) {
  TokenIndex index;
  PairCodeIndex codes;
  TokenRecord expired = make_admin("tok_old");
  expired.expires_at = 100000;  // lasting at 1200, expired at 200000
  apply_create(index, expired);
  apply_create(index, make_admin("tok_live"));
  Applied a = apply_revoke(index, codes, "tok_live", 200000);
  EXPECT_EQ(a.result.status, StoreStatus::conflict);
  EXPECT_NE(a.result.message.find("token tok_live is the last lasting admin token"),
            std::string::npos)
      << a.result.message;
  // Before tok_old expired there were two.
  EXPECT_EQ(apply_revoke(index, codes, "tok_live", 1200).result.status, StoreStatus::ok);
}

TEST(StoreTokenOps, RevokingANonAdminNeedsNoOtherAdmin) {
  TokenIndex index;
  PairCodeIndex codes;
  apply_create(index, make_token("tok_reader"));
  Applied a = apply_revoke(index, codes, "tok_reader", 2000);
  EXPECT_EQ(a.result.status, StoreStatus::ok);
  EXPECT_EQ(a.result.token->revoked_at, 2000);
  ASSERT_EQ(a.invalidated.size(), 1u);
  EXPECT_EQ(a.invalidated[0].secret_hash, "hash-tok_reader");
  EXPECT_EQ(a.invalidated[0].token_id, "tok_reader");
}

TEST(StoreTokenOps, OnlyLastingAdminTokensCountForTheLastAdminRule) {
  TokenIndex index;
  PairCodeIndex codes;
  apply_create(index, make_admin("tok_root"));
  // Neither tokens:manage nor an admin expiring within 24 hours keeps an operator in.
  apply_create(index, make_token("tok_m", {"tokens:manage"}));
  TokenRecord brief = make_admin("tok_brief");
  brief.expires_at = 2000 + 86400;
  apply_create(index, brief);
  EXPECT_EQ(apply_revoke(index, codes, "tok_m", 2000).result.status, StoreStatus::ok);
  EXPECT_EQ(apply_revoke(index, codes, "tok_root", 2000).result.status, StoreStatus::conflict);
  EXPECT_EQ(apply_expire(index, codes, "tok_root", 2000).result.status, StoreStatus::conflict);
  // A short-lived admin goes freely.
  EXPECT_EQ(apply_revoke(index, codes, "tok_brief", 2000).result.status, StoreStatus::ok);
  // One a second more than a day away counts.
  TokenRecord lasting = make_admin("tok_lasting");
  lasting.expires_at = 2000 + 86401;
  apply_create(index, lasting);
  EXPECT_EQ(apply_revoke(index, codes, "tok_root", 2000).result.status, StoreStatus::ok);
}

TEST(StoreTokenOps, EndingATokenCancelsItsPendingPairCodesInTheSameApplied) {
  TokenIndex index;
  PairCodeIndex codes;
  apply_create(index, make_admin("tok_root"));
  apply_create(index, make_token("tok_m", {"tokens:manage", "lake:read"}));
  apply_create(index, make_token("tok_e", {"tokens:manage", "lake:read"}));
  auto code = [](std::string id, std::string creator, UnixTime expires_at) {
    PairCodeRecord c;
    c.pair_code_id = id;
    c.code_hash = "hash-" + id;
    c.scopes = {"lake:read"};
    c.created_at = 1000;
    c.expires_at = expires_at;
    c.created_by = std::move(creator);
    return c;
  };
  codes.put(code("pc_mine", "tok_m", 5000));
  codes.put(code("pc_old", "tok_m", 1500));  // expired already: left alone
  codes.put(code("pc_other", "tok_root", 5000));
  codes.put(code("pc_e", "tok_e", 5000));
  Applied a = apply_revoke(index, codes, "tok_m", 2000);
  ASSERT_EQ(a.result.status, StoreStatus::ok);
  ASSERT_EQ(a.result.cancelled_pair_codes.size(), 1u);
  EXPECT_EQ(a.result.cancelled_pair_codes[0].pair_code_id, "pc_mine");
  EXPECT_EQ(a.result.cancelled_pair_codes[0].cancelled_at, 2000);
  ASSERT_EQ(a.pair_code_puts.size(), 1u) << "journaled with the revocation";
  EXPECT_EQ(a.puts.size(), 1u);
  EXPECT_FALSE(codes.by_id("pc_mine")->pending(2000));
  EXPECT_TRUE(codes.by_id("pc_other")->pending(2000));
  EXPECT_FALSE(codes.by_id("pc_old")->cancelled_at.has_value());
  Applied e = apply_expire(index, codes, "tok_e", 2000);
  ASSERT_EQ(e.result.cancelled_pair_codes.size(), 1u);
  EXPECT_EQ(e.result.cancelled_pair_codes[0].pair_code_id, "pc_e");
}

TEST(StoreTokenOps, RotateNeverLengthensAnExpiry) {
  TokenIndex index;
  PairCodeIndex codes;
  TokenRecord old = make_token("tok_old");
  old.expires_at = 5000;
  apply_create(index, old);
  TokenRecord replacement = make_token("tok_new", {"lake:read"}, 2000);
  Applied a = apply_rotate(index, "tok_old", replacement, 9000);
  ASSERT_EQ(a.result.status, StoreStatus::ok);
  EXPECT_EQ(a.result.token->expires_at, 5000);
  EXPECT_TRUE(a.invalidated.empty());  // the expiry did not move
}

TEST(StoreTokenOps, RotateRefusesInactiveAndAlreadyRotated) {
  TokenIndex index;
  PairCodeIndex codes;
  TokenRecord expired = make_token("tok_exp");
  expired.expires_at = 1500;
  apply_create(index, expired);
  Applied a = apply_rotate(index, "tok_exp", make_token("tok_x", {"lake:read"}, 2000), {});
  EXPECT_EQ(a.result.status, StoreStatus::conflict);
  EXPECT_EQ(a.result.message, "token tok_exp is not active (expired)");

  apply_create(index, make_token("tok_a"));
  ASSERT_EQ(
      apply_rotate(index, "tok_a", make_token("tok_b", {"lake:read"}, 2000), {}).result.status,
      StoreStatus::ok);
  Applied again = apply_rotate(index, "tok_a", make_token("tok_c", {"lake:read"}, 2001), {});
  EXPECT_EQ(again.result.status, StoreStatus::conflict);
  EXPECT_EQ(again.result.message,
            "token tok_a was already rotated to tok_b; rotate that token instead");
  EXPECT_EQ(index.by_id("tok_c"), nullptr);
}

TEST(StoreTokenOps, RotateAwayTheLastAdminIntoANonAdminIsRefused) {
  TokenIndex index;
  PairCodeIndex codes;
  apply_create(index, make_admin("tok_admin"));
  Applied a = apply_rotate(index, "tok_admin", make_token("tok_new", {"lake:read"}, 2000), 3000);
  EXPECT_EQ(a.result.status, StoreStatus::conflict);
  EXPECT_EQ(index.by_id("tok_new"), nullptr);
  // The usual case, same scopes, is fine.
  EXPECT_EQ(apply_rotate(index, "tok_admin", make_admin("tok_new", 2000), 3000).result.status,
            StoreStatus::ok);
}

TEST(StoreTokenIndex, LastUsedNeverMovesBackwards) {
  TokenIndex index;
  PairCodeIndex codes;
  TokenRecord t = make_token("tok_a");
  t.last_used_at = 500;
  index.put(t);
  t.last_used_at = 400;
  index.put(t);
  EXPECT_EQ(index.by_id("tok_a")->last_used_at, 500);
  t.last_used_at.reset();
  index.put(t);
  EXPECT_EQ(index.by_id("tok_a")->last_used_at, 500);
  EXPECT_FALSE(index.touch("tok_a", 500));
  EXPECT_TRUE(index.touch("tok_a", 501));
  EXPECT_FALSE(index.touch("tok_unknown", 501));
}

TEST(StoreTokenIndex, AllIsOldestFirstThenById) {
  TokenIndex index;
  PairCodeIndex codes;
  index.put(make_token("tok_c", {"lake:read"}, 20));
  index.put(make_token("tok_b", {"lake:read"}, 10));
  index.put(make_token("tok_a", {"lake:read"}, 20));
  std::vector<TokenRecord> all = index.all();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].token_id, "tok_b");
  EXPECT_EQ(all[1].token_id, "tok_a");
  EXPECT_EQ(all[2].token_id, "tok_c");
}

}  // namespace
}  // namespace fathom::store
