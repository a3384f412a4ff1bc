#include "auth/token_format.h"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>

#include "auth/crc32.h"

namespace fathom::auth {
namespace {

// Computed independently with Python: "fth_" + r + base62(zlib.crc32(r)), 6 digits.
constexpr const char* kKnownGood[] = {
    "fth_0123456789ABCDEFGHIJKLMNOPQRSTUV1ggZdL",
    "fth_abcdefghijklmnopqrstuvwxyzABCDEF1mVgZW",
    "fth_000000000000000000000000000000002wjyrI",
};

// Bytes that are never base62, including ones that look like it in other encodings.
const std::string kNotBase62 = std::string("_-+/=. ~\t\r\n\x7f\x80\xc3\xa9\xff") + '\0';

TEST(TokenFormat, AcceptsKnownGoodTokens) {
  for (const char* token : kKnownGood) EXPECT_TRUE(valid_token_format(token)) << token;
}

TEST(TokenFormat, EncodesTheChecksumMostSignificantDigitFirstPadded) {
  char out[kTokenChecksumChars];
  encode_token_checksum("0123456789ABCDEFGHIJKLMNOPQRSTUV", out);
  EXPECT_EQ(std::string(out, kTokenChecksumChars), "1ggZdL");
  // crc32("") == 0: all padding. "\xff"'s CRC is 0xFF000000, the largest 4278190080 < 62^6.
  encode_token_checksum("", out);
  EXPECT_EQ(std::string(out, kTokenChecksumChars), "000000");
  encode_token_checksum("\xff", out);
  EXPECT_EQ(std::string(out, kTokenChecksumChars), "4fWqfo");
}

TEST(TokenFormat, GeneratedTokensAreValidAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string token = generate_token();
    ASSERT_EQ(token.size(), kTokenLength);
    ASSERT_EQ(token.size(), 42u);
    ASSERT_EQ(token.substr(0, 4), "fth_");
    ASSERT_TRUE(valid_token_format(token)) << token;
    // The checksum is crc32_ieee of the 32 random characters.
    char sum[kTokenChecksumChars];
    encode_token_checksum(token.substr(4, 32), sum);
    ASSERT_EQ(token.substr(36), std::string(sum, kTokenChecksumChars));
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

// Required by the issue: any single-character change of a valid token is refused, wherever it
// is (prefix, random part, checksum) and whatever it is replaced with.
TEST(TokenFormat, RefusesEverySingleCharacterCorruption) {
  std::vector<std::string> tokens(std::begin(kKnownGood), std::end(kKnownGood));
  for (int i = 0; i < 5; ++i) tokens.push_back(generate_token());
  std::string replacements(kBase62Alphabet);
  replacements += kNotBase62;
  for (const std::string& good : tokens) {
    ASSERT_TRUE(valid_token_format(good));
    for (size_t pos = 0; pos < good.size(); ++pos) {
      for (const char c : replacements) {
        if (c == good[pos]) continue;
        std::string bad = good;
        bad[pos] = c;
        EXPECT_FALSE(valid_token_format(bad)) << "position " << pos << " -> 0x" << std::hex
                                              << static_cast<int>(static_cast<unsigned char>(c));
      }
    }
  }
}

TEST(TokenFormat, RefusesWrongLengthAndPrefix) {
  const std::string good = kKnownGood[0];
  EXPECT_FALSE(valid_token_format(""));
  EXPECT_FALSE(valid_token_format("fth_"));
  EXPECT_FALSE(valid_token_format(good.substr(0, 41)));
  EXPECT_FALSE(valid_token_format(good.substr(1)));
  EXPECT_FALSE(valid_token_format(good + "0"));
  EXPECT_FALSE(valid_token_format("0" + good));
  EXPECT_FALSE(valid_token_format(good + " "));
  EXPECT_FALSE(valid_token_format("FTH_" + good.substr(4)));
  EXPECT_FALSE(valid_token_format("fth-" + good.substr(4)));
  EXPECT_FALSE(valid_token_format("tok_" + good.substr(4)));
  // A right-looking string with an embedded NUL is not truncated anywhere.
  EXPECT_FALSE(valid_token_format(std::string_view(good.c_str(), good.size() + 1)));
  // Dropping one character and adding another keeps the length but breaks the checksum.
  EXPECT_FALSE(valid_token_format(good.substr(0, 10) + good.substr(11) + "0"));
  // Two tokens' halves do not combine.
  const std::string other = kKnownGood[1];
  EXPECT_FALSE(valid_token_format(good.substr(0, 36) + other.substr(36)));
}

TEST(TokenFormat, RandomCharactersAreUniform) {
  // 160000 characters: each digit expected 2580.6 times (sd ~50). Modulo bias (b % 62 without
  // rejecting b >= 248) would put '0'..'7' near 3125; the bounds are about 6 sd wide.
  std::array<int, 256> counts{};
  for (int i = 0; i < 5000; ++i) {
    const std::string token = generate_token();
    for (size_t j = 4; j < 36; ++j) ++counts[static_cast<unsigned char>(token[j])];
  }
  for (const char c : kBase62Alphabet) {
    const int n = counts[static_cast<unsigned char>(c)];
    EXPECT_GT(n, 2280) << c;
    EXPECT_LT(n, 2880) << c;
  }
}

TEST(TokenFormat, IdsAndPairCodesHaveTheirShapes) {
  for (int i = 0; i < 200; ++i) {
    const std::string id = generate_token_id();
    EXPECT_EQ(id.size(), 20u);
    EXPECT_EQ(id.substr(0, 4), "tok_");
    EXPECT_TRUE(valid_token_id(id)) << id;

    const std::string code = generate_pair_code();
    EXPECT_EQ(code.size(), 29u);
    EXPECT_EQ(code.substr(0, 5), "pair_");
    EXPECT_TRUE(valid_pair_code(code)) << code;

    const std::string code_id = generate_pair_code_id();
    EXPECT_EQ(code_id.size(), 19u);
    EXPECT_EQ(code_id.substr(0, 3), "pc_");
    EXPECT_TRUE(valid_pair_code_id(code_id)) << code_id;

    // No kind of string is mistaken for another.
    EXPECT_FALSE(valid_token_format(id));
    EXPECT_FALSE(valid_pair_code(id));
    EXPECT_FALSE(valid_pair_code_id(id));
    EXPECT_FALSE(valid_token_id(code));
    EXPECT_FALSE(valid_token_id(code_id));
    EXPECT_FALSE(valid_pair_code(code_id));
  }
  EXPECT_NE(generate_token_id(), generate_token_id());
  EXPECT_NE(generate_pair_code(), generate_pair_code());
}

TEST(TokenFormat, RefusesMalformedIdsAndPairCodes) {
  const std::string id = "tok_0123456789abcdef";
  ASSERT_TRUE(valid_token_id(id));
  EXPECT_FALSE(valid_token_id(""));
  EXPECT_FALSE(valid_token_id("tok_"));
  EXPECT_FALSE(valid_token_id(id.substr(0, 19)));
  EXPECT_FALSE(valid_token_id(id + "0"));
  EXPECT_FALSE(valid_token_id("TOK_0123456789abcdef"));
  for (size_t pos = 4; pos < id.size(); ++pos) {
    for (const char c : kNotBase62) {
      std::string bad = id;
      bad[pos] = c;
      EXPECT_FALSE(valid_token_id(bad)) << pos;
    }
  }
  const std::string code = "pair_0123456789abcdefABCDEFGH";
  ASSERT_TRUE(valid_pair_code(code));
  EXPECT_FALSE(valid_pair_code(code.substr(0, 28)));
  EXPECT_FALSE(valid_pair_code(code + "x"));
  EXPECT_FALSE(valid_pair_code("pair-0123456789abcdefABCDEFGH"));
  EXPECT_FALSE(valid_pair_code("pair_0123456789abcdefABCDEF-H"));
  EXPECT_TRUE(valid_pair_code_id("pc_0123456789abcdef"));
  EXPECT_FALSE(valid_pair_code_id("pc_0123456789abcde"));
  EXPECT_FALSE(valid_pair_code_id("pc_0123456789abcde/"));
}

}  // namespace
}  // namespace fathom::auth
