// Tests plugins/dashboard/if_none_match.cpp.

#include "if_none_match.h"

#include <gtest/gtest.h>

namespace fathom::dashboard {
namespace {

constexpr std::string_view kTag = "\"0123abcd\"";

TEST(IfNoneMatch, MatchesTheTagItselfAndTheWildcard) {
  EXPECT_TRUE(if_none_match_hits("\"0123abcd\"", kTag));
  EXPECT_TRUE(if_none_match_hits("*", kTag));
  EXPECT_TRUE(if_none_match_hits("  *  ", kTag));
}

TEST(IfNoneMatch, ComparesWeakly) {
  EXPECT_TRUE(if_none_match_hits("W/\"0123abcd\"", kTag));
}

TEST(IfNoneMatch, FindsTheTagInAList) {
  EXPECT_TRUE(if_none_match_hits("\"old\", \"0123abcd\"", kTag));
  EXPECT_TRUE(if_none_match_hits("\"old\",W/\"other\" ,  \"0123abcd\"", kTag));
  EXPECT_TRUE(if_none_match_hits(", ,\"0123abcd\",", kTag));
}

TEST(IfNoneMatch, OtherTagsDoNotMatch) {
  EXPECT_FALSE(if_none_match_hits("\"old\"", kTag));
  EXPECT_FALSE(if_none_match_hits("\"0123abc\"", kTag));
  EXPECT_FALSE(if_none_match_hits("\"0123abcd\"x", kTag));
  EXPECT_FALSE(if_none_match_hits("", kTag));
}

TEST(IfNoneMatch, AMalformedListNeverMatches) {
  EXPECT_FALSE(if_none_match_hits("0123abcd", kTag));                   // unquoted
  EXPECT_FALSE(if_none_match_hits("\"0123abcd", kTag));                 // unclosed
  EXPECT_FALSE(if_none_match_hits("\"old\" junk \"0123abcd\"", kTag));  // no comma
  EXPECT_FALSE(if_none_match_hits("*, \"0123abcd\"", kTag));
}

}  // namespace
}  // namespace fathom::dashboard
