#include "http/path_canonical.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "http/target.h"

namespace fathom::http {
namespace {

// The canonical form, whether or not it differs.
std::string canonical(std::string_view path) {
  std::string out;
  return canonicalize_path(path, out) ? std::string(path) : out;
}

TEST(PathCanonical, LeavesCanonicalPathsAlone) {
  std::string out = "untouched";
  for (const char* p : {"/", "/v1/stats", "/a%20b", "/caf%C3%A9", "/a/b/", "/%3B", "/%25"}) {
    EXPECT_TRUE(canonicalize_path(p, out)) << p;
  }
  EXPECT_EQ(out, "untouched");
}

// The encodings a security review used to slip past rules for /v1/internal/ and /v1/secret/.
TEST(PathCanonical, DecodesUnreservedCharacters) {
  EXPECT_EQ(canonical("/v1/%69nternal/k"), "/v1/internal/k");
  EXPECT_EQ(canonical("/v1/%73ecret/x"), "/v1/secret/x");
  EXPECT_EQ(canonical("/%41%5a%61%7A%30%39%2D%5F%7E"), "/AZaz09-_~");
  EXPECT_EQ(canonical("/v1/%49NTERNAL"), "/v1/INTERNAL");  // case is the upstream's to judge
}

TEST(PathCanonical, UpperCasesOtherEscapes) {
  EXPECT_EQ(canonical("/caf%c3%a9"), "/caf%C3%A9");
  EXPECT_EQ(canonical("/a%2fb"), "/a%2Fb");  // parse_target refuses it; the spelling still holds
  EXPECT_EQ(canonical("/%3b%3B"), "/%3B%3B");
  EXPECT_EQ(canonical("/x%20y%7e"), "/x%20y~");
}

TEST(PathCanonical, KeepsMalformedEscapesAsTheyAre) {
  EXPECT_EQ(canonical("/%"), "/%");
  EXPECT_EQ(canonical("/%6"), "/%6");
  EXPECT_EQ(canonical("/%zz%61"), "/%zza");
}

TEST(PathCanonical, PercentDecodeDecodesEverything) {
  EXPECT_EQ(percent_decode("/v1/%69nternal%2Fk%00"), std::string("/v1/internal/k\0", 15));
  EXPECT_EQ(percent_decode("/%4"), "/%4");
}

// The fuzz target's property, over random paths built from the characters that matter:
// canonical paths decode to the same bytes, canonicalizing twice changes nothing, and a
// canonical form of an accepted path is itself accepted.
TEST(PathCanonical, PropertiesHoldForRandomPaths) {
  const std::string alphabet = "/%aAfF0129.;_~-:@!";
  std::mt19937 rng(20261205);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<size_t> length(1, 24);
  size_t accepted = 0;
  for (int n = 0; n < 200000; ++n) {
    std::string path = "/";
    for (size_t i = length(rng); i > 0; --i) path += alphabet[pick(rng)];
    Target target;
    if (parse_target(path, target) != Refusal::none) continue;
    ++accepted;
    const std::string once = canonical(target.path);
    EXPECT_EQ(percent_decode(once), percent_decode(target.path)) << path;
    EXPECT_EQ(canonical(once), once) << path;
    Target again;
    EXPECT_EQ(parse_target(once, again), Refusal::none) << path << " -> " << once;
  }
  EXPECT_GT(accepted, 1000u);
}

}  // namespace
}  // namespace fathom::http
