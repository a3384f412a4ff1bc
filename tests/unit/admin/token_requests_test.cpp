// Tests admin/token_requests.cpp: what a valid body reads as, and that every refusal's message
// starts with the field it is about.

#include "token_requests.h"

#include <gtest/gtest.h>

#include <string>

namespace fathom::admin {
namespace {

constexpr UnixTime kNow = 1800000000;  // 2027-01-15T08:00:00Z

std::string mint_error(std::string_view body) {
  Parsed<MintRequest> p = parse_mint_request(body, kNow);
  EXPECT_FALSE(p.ok()) << "accepted: " << body;
  return p.error;
}

std::string rotate_error(std::string_view body) {
  Parsed<RotateRequest> p = parse_rotate_request(body);
  EXPECT_FALSE(p.ok()) << "accepted: " << body;
  return p.error;
}

#define EXPECT_NAMES(message, field) EXPECT_TRUE((message).starts_with(field ": ")) << (message)

TEST(AdminMintRequest, ReadsNameScopesAndExpiry) {
  Parsed<MintRequest> p = parse_mint_request(
      R"({"name": "ci-deploy", "scopes": ["lake:read", "lake:write"], "expires_in": 3600})", kNow);
  ASSERT_TRUE(p.ok()) << p.error;
  EXPECT_EQ(p.value.name, "ci-deploy");
  EXPECT_EQ(p.value.scopes, (std::vector<std::string>{"lake:read", "lake:write"}));
  EXPECT_EQ(p.value.expires_at, kNow + 3600);

  p = parse_mint_request(R"({"name": "x", "scopes": ["a"], "expires_at": "2027-01-16T08:00:00Z"})",
                         kNow);
  ASSERT_TRUE(p.ok()) << p.error;
  EXPECT_EQ(p.value.expires_at, kNow + 86400);

  p = parse_mint_request(R"({"name": "x", "scopes": ["a"]})", kNow);
  ASSERT_TRUE(p.ok()) << p.error;
  EXPECT_FALSE(p.value.expires_at.has_value());
}

TEST(AdminMintRequest, NullExpiryMeansNoExpiry) {
  Parsed<MintRequest> p = parse_mint_request(
      R"({"name": "x", "scopes": ["a"], "expires_in": null, "expires_at": null})", kNow);
  ASSERT_TRUE(p.ok()) << p.error;
  EXPECT_FALSE(p.value.expires_at.has_value());
}

TEST(AdminMintRequest, BodyMustBeOneJsonObject) {
  for (const char* body : {"", "   ", "null", "[]", "\"x\"", "42", "{", "{\"name\": \"x\",}",
                           "{\"name\": \"x\"} {}", "/* c */ {}"}) {
    EXPECT_NAMES(mint_error(body), "body") << body;
  }
}

TEST(AdminMintRequest, UnknownAndDuplicateFieldsAreRefusedByName) {
  EXPECT_NAMES(mint_error(R"({"name": "x", "scopes": ["a"], "scope": "b"})"), "scope");
  EXPECT_NAMES(mint_error(R"({"name": "x", "scopes": ["a"], "ttl": 5})"), "ttl");
  EXPECT_NAMES(mint_error(R"({"name": "x", "scopes": ["a"], "scopes": ["admin"]})"), "scopes");
  const std::string long_key(500, 'k');
  const std::string error = mint_error("{\"" + long_key + "\": 1}");
  EXPECT_LT(error.size(), 200u) << "an unknown key is echoed cut short";
}

TEST(AdminMintRequest, NameIsRequiredAndPrintable) {
  EXPECT_NAMES(mint_error(R"({"scopes": ["a"]})"), "name");
  EXPECT_NAMES(mint_error(R"({"name": null, "scopes": ["a"]})"), "name");
  for (const char* name : {R"(42)", R"(["x"])", R"("")", R"("   ")", R"("tab\there")",
                           R"("new\nline")", R"("nul\u0000")", R"("del\u007f")", R"("c1\u0085")",
                           R"("bidi\u202eevil")", R"("zero\u200bwidth")", R"("bom\ufeff")"}) {
    EXPECT_NAMES(mint_error(std::string(R"({"scopes": ["a"], "name": )") + name + "}"), "name")
        << name;
  }
  EXPECT_NAMES(mint_error(R"({"scopes": ["a"], "name": ")" + std::string(65, 'n') + "\"}"), "name");
}

TEST(AdminMintRequest, NameMayBeAnyPrintableUtf8UpTo64Characters) {
  for (std::string name :
       {std::string(64, 'n'),
        std::string("laptop \xF0\x9F\x91\xA9\xE2\x80\x8D"
                    "\xF0\x9F\x92\xBB"),
        std::string("caf\xC3\xA9 ") + std::string(59, 'x'), std::string("a b")}) {
    Parsed<MintRequest> p =
        parse_mint_request(R"({"scopes": ["a"], "name": ")" + name + "\"}", kNow);
    EXPECT_TRUE(p.ok()) << name << ": " << p.error;
  }
  // 64 characters, 128 bytes: the limit counts characters.
  std::string wide;
  for (int i = 0; i < 64; ++i) wide += "\xC3\xA9";
  EXPECT_TRUE(is_valid_token_name(wide));
  EXPECT_FALSE(is_valid_token_name(wide + "\xC3\xA9"));
}

TEST(AdminTokenName, RefusesBrokenUtf8) {
  for (std::string bad :
       {std::string("\xC3"), std::string("\xC0\xAF"), std::string("\xED\xA0\x80"),
        std::string("\xF4\x90\x80\x80"), std::string("\x80"), std::string("ok\xE2\x82")}) {
    EXPECT_FALSE(is_valid_token_name(bad));
  }
}

TEST(AdminMintRequest, ScopesAreOneTo32UniqueValidScopes) {
  EXPECT_NAMES(mint_error(R"({"name": "x"})"), "scopes");
  EXPECT_NAMES(mint_error(R"({"name": "x", "scopes": null})"), "scopes");
  EXPECT_NAMES(mint_error(R"({"name": "x", "scopes": "lake:read"})"), "scopes");
  EXPECT_NAMES(mint_error(R"({"name": "x", "scopes": []})"), "scopes");
  std::string many = R"({"name": "x", "scopes": [)";
  for (int i = 0; i < 33; ++i) many += (i ? ",\"s" : "\"s") + std::to_string(i) + "\"";
  EXPECT_NAMES(mint_error(many + "]}"), "scopes");
  EXPECT_NAMES(mint_error(R"({"name": "x", "scopes": ["lake:read", 7]})"), "scopes[1]");
  EXPECT_NAMES(mint_error(R"({"name": "x", "scopes": ["lake:read", "Lake:read"]})"), "scopes[1]");
  EXPECT_NAMES(mint_error(R"({"name": "x", "scopes": ["a", "b", "a"]})"), "scopes[2]");
}

TEST(AdminScope, FollowsThePatternOfTheApi) {
  for (const char* ok :
       {"admin", "lake:read", "tokens:manage", "a", "a-b_c9", "mcp:tool.*", "x:a*._-9"}) {
    EXPECT_TRUE(is_valid_scope(ok)) << ok;
  }
  for (const char* bad : {"", "Admin", "9lake", "_x", "lake:", ":read", "lake:read:x", "lake read",
                          "lake:Read", "lake:re/ad", "lake.read", "-x", "é"}) {
    EXPECT_FALSE(is_valid_scope(bad)) << bad;
  }
  EXPECT_TRUE(is_valid_scope(std::string(64, 'a')));
  EXPECT_FALSE(is_valid_scope(std::string(65, 'a')));
}

TEST(AdminMintRequest, ExpiresInIsWholeSecondsWithinTenYears) {
  for (const char* v : {"0", "-1", "315360001", "1.5", "3600.0", "\"3600\"", "true", "[]",
                        "18446744073709551615", "1e3"}) {
    EXPECT_NAMES(
        mint_error(std::string(R"({"name": "x", "scopes": ["a"], "expires_in": )") + v + "}"),
        "expires_in")
        << v;
  }
  for (const char* v : {"1", "315360000"}) {
    EXPECT_TRUE(parse_mint_request(
                    std::string(R"({"name": "x", "scopes": ["a"], "expires_in": )") + v + "}", kNow)
                    .ok())
        << v;
  }
}

TEST(AdminMintRequest, ExpiresAtIsAFutureRfc3339TimeWithinTenYears) {
  for (const char* v : {"\"tomorrow\"", "1800003600", "\"2027-01-15T08:00:00Z\"",
                        "\"2020-01-01T00:00:00Z\"", "\"2037-01-13T08:00:01Z\"", "{}"}) {
    EXPECT_NAMES(
        mint_error(std::string(R"({"name": "x", "scopes": ["a"], "expires_at": )") + v + "}"),
        "expires_at")
        << v;
  }
  EXPECT_TRUE(parse_mint_request(
                  R"({"name": "x", "scopes": ["a"], "expires_at": "2027-01-15T08:00:01Z"})", kNow)
                  .ok());
}

TEST(AdminMintRequest, ExpiresInAndExpiresAtAreExclusive) {
  EXPECT_NAMES(mint_error(R"({"name": "x", "scopes": ["a"], "expires_in": 60,
                              "expires_at": "2028-01-01T00:00:00Z"})"),
               "expires_in");
}

TEST(AdminRotateRequest, EmptyBodyOrGraceSeconds) {
  for (const char* body : {"", " \r\n", "{}", R"({"grace_seconds": null})"}) {
    Parsed<RotateRequest> p = parse_rotate_request(body);
    ASSERT_TRUE(p.ok()) << body << ": " << p.error;
    EXPECT_FALSE(p.value.grace_seconds.has_value()) << body;
  }
  EXPECT_EQ(parse_rotate_request(R"({"grace_seconds": 0})").value.grace_seconds, 0);
  EXPECT_EQ(parse_rotate_request(R"({"grace_seconds": 2592000})").value.grace_seconds, 2592000);
}

TEST(AdminRotateRequest, RefusalsNameTheField) {
  EXPECT_NAMES(rotate_error("[]"), "body");
  EXPECT_NAMES(rotate_error("{"), "body");
  EXPECT_NAMES(rotate_error(R"({"grace": 5})"), "grace");
  EXPECT_NAMES(rotate_error(R"({"grace_seconds": 1, "grace_seconds": 2})"), "grace_seconds");
  for (const char* v : {"-1", "2592001", "1.5", "\"60\"", "true"}) {
    EXPECT_NAMES(rotate_error(std::string(R"({"grace_seconds": )") + v + "}"), "grace_seconds")
        << v;
  }
}

TEST(AdminListQuery, StatusDefaultsToActive) {
  EXPECT_EQ(parse_list_query("").value, StatusFilter::active);
  EXPECT_EQ(parse_list_query("status=active").value, StatusFilter::active);
  EXPECT_EQ(parse_list_query("status=revoked").value, StatusFilter::revoked);
  EXPECT_EQ(parse_list_query("status=expired").value, StatusFilter::expired);
  EXPECT_EQ(parse_list_query("status=all&").value, StatusFilter::all);
}

TEST(AdminListQuery, RefusalsNameTheParameter) {
  for (const char* q :
       {"status=", "status", "status=ALL", "status=all&status=active", "status=act%69ve"}) {
    Parsed<StatusFilter> p = parse_list_query(q);
    EXPECT_FALSE(p.ok()) << q;
    EXPECT_NAMES(p.error, "status") << q;
  }
  Parsed<StatusFilter> p = parse_list_query("status=all&limit=5");
  EXPECT_NAMES(p.error, "limit");
}

TEST(AdminTokenId, IsTokPrefixAndBase62) {
  EXPECT_TRUE(is_token_id("tok_3kTq9aZb0Xc1Vd2E"));
  EXPECT_TRUE(is_token_id("tok_0000bootstrap00"));
  for (const char* bad :
       {"", "tok_", "tok", "TOK_abc", "tok_abc-def", "tok_a/b", "fth_abc", "tok_%41"}) {
    EXPECT_FALSE(is_token_id(bad)) << bad;
  }
  EXPECT_FALSE(is_token_id("tok_" + std::string(65, 'a')));
}

TEST(AdminAuthority, ACallerActsOnlyOnTokensWhoseEveryScopeItHolds) {
  Identity manager{"tok_m", "m", {"tokens:manage", "lake:read"}};
  TokenRecord target;
  target.token_id = "tok_t";
  target.scopes = {"lake:read"};
  EXPECT_EQ(authority_lacking(manager, target), nullptr);
  target.scopes = {"lake:read", "audit:read"};
  ASSERT_NE(authority_lacking(manager, target), nullptr);
  EXPECT_EQ(*authority_lacking(manager, target), "audit:read");
  target.scopes = {"admin"};
  EXPECT_EQ(*authority_lacking(manager, target), "admin");
  // An admin holds every scope; anyone may act on itself.
  EXPECT_EQ(authority_lacking(Identity{"tok_a", "a", {"admin"}}, target), nullptr);
  target.token_id = "tok_m";
  EXPECT_EQ(authority_lacking(manager, target), nullptr);
}

}  // namespace
}  // namespace fathom::admin
