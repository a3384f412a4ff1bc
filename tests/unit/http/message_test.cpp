#include "http/message.h"

#include <gtest/gtest.h>

namespace fathom::http {
namespace {

TEST(Message, ComparesAsciiCaseInsensitively) {
  EXPECT_TRUE(iequals("Content-Length", "content-LENGTH"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("host", "hos"));
  EXPECT_FALSE(iequals("host", "hosu"));
  EXPECT_FALSE(iequals("[", "{"));  // 0x5b and 0x7b differ only in the case bit
  EXPECT_FALSE(iequals("\xc9", "\xe9"));
}

TEST(Message, FindsTokensInLists) {
  EXPECT_TRUE(list_contains("close", "close"));
  EXPECT_TRUE(list_contains("keep-alive, Close", "close"));
  EXPECT_TRUE(list_contains(" a ,\tb\t, c ", "b"));
  EXPECT_TRUE(list_contains("a,,b", "b"));
  EXPECT_TRUE(list_contains("a, c", "c"));
  EXPECT_FALSE(list_contains("closed", "close"));
  EXPECT_FALSE(list_contains("not-close", "close"));
  EXPECT_FALSE(list_contains("a b", "b"));
  EXPECT_FALSE(list_contains("", "close"));
  EXPECT_FALSE(list_contains(",,", "close"));
}

}  // namespace
}  // namespace fathom::http
