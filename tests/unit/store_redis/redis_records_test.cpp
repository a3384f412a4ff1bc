#include "store_redis/redis_records.h"

#include <gtest/gtest.h>

namespace fathom::store_redis {
namespace {

TEST(RedisRecords, TokenRoundTrip) {
  TokenRecord t;
  t.token_id = "tok_1";
  t.secret_hash = "abc";
  t.name = "ci \"runner\"";
  t.scopes = {"lake:read", "admin"};
  t.created_at = 1700000000;
  t.expires_at = 1800000000;
  t.rotated_from = "tok_0";
  TokenRecord back = decode_token(encode_token(t));
  EXPECT_EQ(back.token_id, t.token_id);
  EXPECT_EQ(back.name, t.name);
  EXPECT_EQ(back.scopes, t.scopes);
  EXPECT_EQ(back.expires_at, t.expires_at);
  EXPECT_FALSE(back.revoked_at);
  EXPECT_EQ(back.rotated_from, "tok_0");
}

// What Redis's cjson writes back: an empty list as {}, escaped slashes, fractions of .0.
TEST(RedisRecords, ReadsWhatCjsonWrites) {
  TokenRecord t = decode_token(
      R"({"token_id":"tok_1","secret_hash":"h","name":"a\/b","scopes":{},"created_at":1000.0,)"
      R"("created_by":"","last_used_at":null,"expires_at":2000,"revoked_at":null,)"
      R"("rotated_from":"","rotated_to":""})");
  EXPECT_TRUE(t.scopes.empty());
  EXPECT_EQ(t.created_at, 1000);
  EXPECT_EQ(t.name, "a/b");
  EXPECT_EQ(t.expires_at, std::optional<UnixTime>(2000));
}

TEST(RedisRecords, DamagedValuesNameTheField) {
  EXPECT_THROW(decode_token("not json"), RecordError);
  try {
    decode_token(R"({"token_id":"t","secret_hash":"h","name":"n","scopes":[],"created_at":1.5})");
    FAIL();
  } catch (const RecordError& e) {
    EXPECT_NE(std::string(e.what()).find("created_at"), std::string::npos);
  }
}

TEST(RedisRecords, PairCodeRoundTrip) {
  PairCodeRecord c;
  c.pair_code_id = "pc_1";
  c.code_hash = "h";
  c.name = "agent";
  c.scopes = {"lake:read"};
  c.created_at = 10;
  c.expires_at = 20;
  c.redeemed_at = 15;
  c.token_id = "tok_9";
  PairCodeRecord back = decode_pair_code(encode_pair_code(c));
  EXPECT_EQ(back.pair_code_id, "pc_1");
  EXPECT_EQ(back.redeemed_at, std::optional<UnixTime>(15));
  EXPECT_EQ(back.token_id, "tok_9");
  EXPECT_FALSE(back.cancelled_at);
}

}  // namespace
}  // namespace fathom::store_redis
