#include "auth/crc32.h"

#include <gtest/gtest.h>

#include <string>

namespace fathom::auth {
namespace {

TEST(Crc32, MatchesTheCheckValues) {
  EXPECT_EQ(crc32_ieee("123456789"), 0xCBF43926u);
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
}

TEST(Crc32, EmptyInputIsZero) {
  EXPECT_EQ(crc32_ieee(""), 0u);
  EXPECT_EQ(crc32c(""), 0u);
}

// Values from Python's zlib.crc32 and from RFC 3720 appendix B.4 (32 bytes of zeros / 0xFF).
TEST(Crc32, MatchesZlibAndIscsiVectors) {
  EXPECT_EQ(crc32_ieee("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
  EXPECT_EQ(crc32_ieee("0123456789ABCDEFGHIJKLMNOPQRSTUV"), 0x5C339A43u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62A8AB43u);
}

TEST(Crc32, ReadsBytesAsUnsigned) {
  // A signed-char slip would index the table out of range or give another value.
  EXPECT_EQ(crc32_ieee("\xff"), 0xFF000000u);
  EXPECT_NE(crc32_ieee("\x80"), crc32_ieee("\x00"));
}

}  // namespace
}  // namespace fathom::auth
