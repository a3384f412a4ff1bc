// Tests proxy/store/token_codec.cpp: the JSON payloads round-trip and bad ones are named.

#include "store/token_codec.h"

#include <gtest/gtest.h>

#include <vector>

namespace fathom::store {
namespace {

TokenRecord full_token() {
  TokenRecord t;
  t.token_id = "tok_0123456789abcdef";
  t.secret_hash = "ab12";
  t.name = "laptop \"quoted\"";
  t.scopes = {"lake:read", "lake:write"};
  t.created_at = 1700000000;
  t.created_by = "tok_creator";
  t.last_used_at = 1700000100;
  t.expires_at = 1800000000;
  t.revoked_at = 1700000200;
  t.rotated_from = "tok_from";
  t.rotated_to = "tok_to";
  return t;
}

void expect_same(const TokenRecord& a, const TokenRecord& b) {
  EXPECT_EQ(a.token_id, b.token_id);
  EXPECT_EQ(a.secret_hash, b.secret_hash);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.scopes, b.scopes);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.created_by, b.created_by);
  EXPECT_EQ(a.last_used_at, b.last_used_at);
  EXPECT_EQ(a.expires_at, b.expires_at);
  EXPECT_EQ(a.revoked_at, b.revoked_at);
  EXPECT_EQ(a.rotated_from, b.rotated_from);
  EXPECT_EQ(a.rotated_to, b.rotated_to);
}

TEST(StoreTokenCodec, PutRoundTrips) {
  DecodedOp op = decode_op(put_payload(full_token()));
  EXPECT_EQ(op.kind, DecodedOp::Kind::put);
  ASSERT_EQ(op.tokens.size(), 1u);
  expect_same(op.tokens[0], full_token());
}

TEST(StoreTokenCodec, AbsentTimesRoundTripAsAbsent) {
  TokenRecord t = full_token();
  t.last_used_at.reset();
  t.expires_at.reset();
  t.revoked_at.reset();
  DecodedOp op = decode_op(put_payload(t));
  expect_same(op.tokens.at(0), t);
}

TEST(StoreTokenCodec, SeveralTokensInOneRecord) {
  std::vector<TokenRecord> tokens = {full_token(), full_token()};
  tokens[1].token_id = "tok_second";
  DecodedOp op = decode_op(put_payload(tokens));
  ASSERT_EQ(op.tokens.size(), 2u);
  EXPECT_EQ(op.tokens[1].token_id, "tok_second");
}

TEST(StoreTokenCodec, HeaderAndEnd) {
  std::string header = header_payload("fp1");
  EXPECT_EQ(header, R"({"key_fingerprint":"fp1","op":"header","version":1})");
  DecodedOp h = decode_op(header);
  EXPECT_EQ(h.kind, DecodedOp::Kind::header);
  EXPECT_EQ(h.version, 1);
  EXPECT_EQ(h.key_fingerprint, "fp1");
  DecodedOp e = decode_op(end_payload(7));
  EXPECT_EQ(e.kind, DecodedOp::Kind::end);
  EXPECT_EQ(e.token_count, 7u);
}

TEST(StoreTokenCodec, NeverWritesAnythingButTheHash) {
  std::string payload = put_payload(full_token());
  EXPECT_EQ(payload.find("secret\""), std::string::npos);
  EXPECT_NE(payload.find("\"secret_hash\":\"ab12\""), std::string::npos);
}

TEST(StoreTokenCodec, InvalidUtf8InANameDoesNotThrow) {
  TokenRecord t = full_token();
  t.name = "bad \xff byte";
  EXPECT_NO_THROW(decode_op(put_payload(t)));
}

PairCodeRecord full_pair_code() {
  PairCodeRecord c;
  c.pair_code_id = "pc_0123456789abcdef";
  c.code_hash = "cd34";
  c.name = "agent";
  c.scopes = {"lake:read"};
  c.created_at = 1700000000;
  c.expires_at = 1700000600;
  c.created_by = "tok_creator";
  c.redeemed_at = 1700000100;
  c.token_id = "tok_minted";
  return c;
}

TEST(StoreTokenCodec, PairCodeRoundTrips) {
  DecodedOp op = decode_op(put_payload(full_pair_code()));
  EXPECT_EQ(op.kind, DecodedOp::Kind::put);
  EXPECT_TRUE(op.tokens.empty());
  ASSERT_EQ(op.pair_codes.size(), 1u);
  const PairCodeRecord& c = op.pair_codes[0];
  EXPECT_EQ(c.pair_code_id, "pc_0123456789abcdef");
  EXPECT_EQ(c.code_hash, "cd34");
  EXPECT_EQ(c.name, "agent");
  EXPECT_EQ(c.scopes, std::vector<std::string>{"lake:read"});
  EXPECT_EQ(c.created_at, 1700000000);
  EXPECT_EQ(c.expires_at, 1700000600);
  EXPECT_EQ(c.created_by, "tok_creator");
  EXPECT_EQ(c.redeemed_at, 1700000100);
  EXPECT_FALSE(c.cancelled_at);
  EXPECT_EQ(c.token_id, "tok_minted");
}

TEST(StoreTokenCodec, ARedeemIsOnePutOfTokenAndCode) {
  std::vector<TokenRecord> tokens{full_token()};
  std::vector<PairCodeRecord> codes{full_pair_code()};
  DecodedOp op = decode_op(put_payload(tokens, codes));
  ASSERT_EQ(op.tokens.size(), 1u);
  ASSERT_EQ(op.pair_codes.size(), 1u);
  expect_same(op.tokens[0], full_token());
  EXPECT_EQ(op.pair_codes[0].token_id, "tok_minted");
}

TEST(StoreTokenCodec, OlderRecordsStillRead) {
  // As the first release wrote them: no pair codes anywhere.
  DecodedOp end = decode_op(R"({"op":"end","tokens":3})");
  EXPECT_EQ(end.token_count, 3u);
  EXPECT_EQ(end.pair_code_count, 0u);
  DecodedOp e2 = decode_op(end_payload(3, 2));
  EXPECT_EQ(e2.pair_code_count, 2u);
  EXPECT_EQ(decode_op(reset_payload()).kind, DecodedOp::Kind::reset);
}

std::string error_of(std::string_view payload) {
  try {
    decode_op(payload);
  } catch (const CodecError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << payload;
  return "";
}

TEST(StoreTokenCodec, RefusesBadPayloads) {
  EXPECT_EQ(error_of("{"), "the payload is not JSON");
  EXPECT_EQ(error_of("[]"), "the payload is not a JSON object");
  EXPECT_EQ(error_of(R"({"op":"drop"})"), "unknown op \"drop\"");
  EXPECT_EQ(error_of(R"({"op":"put"})"), "missing field \"tokens\"");
  EXPECT_EQ(error_of(R"({"op":"put","token":{"token_id":"t"}})"), "missing field \"secret_hash\"");
  EXPECT_EQ(error_of(R"({"op":"put","pair_codes":[]})"), "field \"pair_codes\" is not a list");
  EXPECT_EQ(error_of(R"({"op":"put","pair_codes":[{"pair_code_id":"pc"}]})"),
            "missing field \"code_hash\"");
  EXPECT_EQ(error_of(R"({"op":"header","version":"1","key_fingerprint":""})"),
            "field \"version\" is not an integer");
}

}  // namespace
}  // namespace fathom::store
