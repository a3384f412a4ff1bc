#include "http/target.h"

#include <gtest/gtest.h>

#include <string>

namespace fathom::http {
namespace {

Refusal refusal_of(std::string_view t) {
  Target out;
  return parse_target(t, out);
}

TEST(Target, SplitsOriginForm) {
  Target t;
  ASSERT_EQ(parse_target("/a/b?x=1&y=/z?w", t), Refusal::none);
  EXPECT_EQ(t.path, "/a/b");
  EXPECT_EQ(t.query, "x=1&y=/z?w");
  EXPECT_EQ(t.authority, "");
  EXPECT_FALSE(t.absolute_form);

  ASSERT_EQ(parse_target("/", t), Refusal::none);
  EXPECT_EQ(t.path, "/");
  EXPECT_EQ(t.query, "");
  ASSERT_EQ(parse_target("/?", t), Refusal::none);
  EXPECT_EQ(t.path, "/");
  EXPECT_EQ(t.query, "");
}

TEST(Target, SplitsAbsoluteForm) {
  Target t;
  ASSERT_EQ(parse_target("http://lake.example:8080/a?b", t), Refusal::none);
  EXPECT_TRUE(t.absolute_form);
  EXPECT_EQ(t.authority, "lake.example:8080");
  EXPECT_EQ(t.path, "/a");
  EXPECT_EQ(t.query, "b");
  ASSERT_EQ(parse_target("HTTPS://[::1]", t), Refusal::none);
  EXPECT_EQ(t.authority, "[::1]");
  EXPECT_EQ(t.path, "/");
  ASSERT_EQ(parse_target("http://h?q", t), Refusal::none);
  EXPECT_EQ(t.path, "/");
  EXPECT_EQ(t.query, "q");
}

TEST(Target, DoesNotDecode) {
  Target t;
  ASSERT_EQ(parse_target("/a%20b%7E/%41?q=%2F%2e%5C", t), Refusal::none);
  EXPECT_EQ(t.path, "/a%20b%7E/%41");
  EXPECT_EQ(t.query, "q=%2F%2e%5C");
}

TEST(Target, AcceptsRfc3986Characters) {
  EXPECT_EQ(refusal_of("/AZaz09-._~!$&'()*+,=:@/x"), Refusal::none);
  EXPECT_EQ(refusal_of("/?AZaz09-._~!$&'()*+,;=:@/?"), Refusal::none);
  EXPECT_EQ(refusal_of("/trailing/slash/"), Refusal::none);
  EXPECT_EQ(refusal_of("/.a/a.b/..b/...c"), Refusal::none);
  EXPECT_EQ(refusal_of("/a?x=//;."), Refusal::none);
  EXPECT_EQ(refusal_of("/a?x=./../."), Refusal::none);
}

TEST(Target, RefusesOtherForms) {
  for (const char* bad : {"", "*", "h:443", "a/b", "ftp://h/", "http:/h", "http:h", "http://",
                          "http:///a", "http://u@h/", "http://h:/", "http://h:99999/",
                          "http://h h/", "//h/a", "//", "http://h//a", "?q"}) {
    EXPECT_EQ(refusal_of(bad), Refusal::bad_target) << bad;
  }
}

TEST(Target, RefusesCharactersOutsideRfc3986) {
  for (const char* bad : {"/a b", "/a\"b", "/a<b", "/a>b", "/a{b", "/a|b", "/a^b", "/a`b", "/a[b",
                          "/a\x7f", "/a\x01", "/caf\xc3\xa9", "/?a b", "/?a\"", "/?{}"}) {
    EXPECT_EQ(refusal_of(bad), Refusal::bad_target) << bad;
  }
}

TEST(Target, RefusesMalformedEscapes) {
  for (const char* bad : {"/%", "/%4", "/%g0", "/%0g", "/a%", "/?%", "/?%4", "/?%zz"}) {
    EXPECT_EQ(refusal_of(bad), Refusal::bad_target) << bad;
  }
}

TEST(Target, RefusesFragments) {
  EXPECT_EQ(refusal_of("/a#b"), Refusal::target_fragment);
  EXPECT_EQ(refusal_of("/a?b#c"), Refusal::target_fragment);
  EXPECT_EQ(refusal_of("/#"), Refusal::target_fragment);
  EXPECT_EQ(refusal_of("http://h#f"), Refusal::target_fragment);
}

TEST(Target, RefusesDotSegments) {
  for (const char* bad : {"/.", "/..", "/./a", "/../a", "/a/.", "/a/..", "/a/./b", "/a/../b",
                          "/a/..?q", "/a/.?q", "http://h/.."}) {
    EXPECT_EQ(refusal_of(bad), Refusal::target_dot_segment) << bad;
  }
}

TEST(Target, RefusesConfusingEncodings) {
  for (const char* bad : {"/%2e", "/%2E%2E/a", "/a%2fb", "/a%2Fb", "/a%5cb", "/a%5Cb", "/a%00",
                          "/a\\b", "/a?b\\c", "/?%00", "http://h/%2f"}) {
    EXPECT_EQ(refusal_of(bad), Refusal::target_encoded_char) << bad;
  }
}

TEST(Authority, AcceptsHostsAndPorts) {
  for (const char* good :
       {"h", "lake.example", "lake.example.", "my_host-1.local", "10.0.0.1", "h:0", "h:1",
        "h:65535", "[::1]", "[::1]:8080", "[::]", "[1:2:3:4:5:6:7:8]", "[::ffff:10.0.0.1]",
        "[2001:db8::1]", "[1::]", "[fe80::1:2]"}) {
    EXPECT_TRUE(valid_authority(good)) << good;
  }
}

TEST(Authority, RefusesEverythingElse) {
  for (const char* bad : {"",
                          ":80",
                          "h:",
                          "h:65536",
                          "h:123456",
                          "h:8a",
                          "h:+1",
                          "u@h",
                          "h h",
                          "h/",
                          "h?",
                          "h#",
                          "h,i",
                          "h%20",
                          "[::1",
                          "::1",
                          "[::1]x",
                          "[::1]:",
                          "[1:2:3:4:5:6:7:8:9]",
                          "[1:2:3:4:5:6:7]",
                          "[1::2::3]",
                          "[:1]",
                          "[1:]",
                          "[12345::]",
                          "[::1%25eth0]",
                          "[v1.x]",
                          "[::10.0.0.256]",
                          "[::010.0.0.1]",
                          "[]",
                          "h:80:80",
                          "caf\xc3\xa9"}) {
    EXPECT_FALSE(valid_authority(bad)) << bad;
  }
  EXPECT_TRUE(valid_authority(std::string(255, 'a')));
  EXPECT_FALSE(valid_authority(std::string(256, 'a')));
}

}  // namespace
}  // namespace fathom::http

namespace fathom::http {
namespace {

// Upstreams that merge slashes, drop ";params" or trim trailing dots would route these elsewhere
// than the scope policies did (issue: /v1//internal/k, /v1/internal;x/k, /v1/internal./k).
TEST(Target, RefusesPathsUpstreamsReadDifferently) {
  for (const char* bad : {"/v1//internal/k", "/a//", "/a//..", "http://h/a//b"}) {
    EXPECT_EQ(refusal_of(bad), Refusal::target_empty_segment) << bad;
  }
  for (const char* bad : {"/v1/internal./k", "/a.", "/a/b.?q", "/v1/.../x", "/a..b./c"}) {
    EXPECT_EQ(refusal_of(bad), Refusal::target_trailing_dot) << bad;
  }
  for (const char* bad : {"/v1/internal;x/k", "/a;", "/;/a", "/a/b;c=d?q"}) {
    EXPECT_EQ(refusal_of(bad), Refusal::target_semicolon) << bad;
  }
}

}  // namespace
}  // namespace fathom::http
