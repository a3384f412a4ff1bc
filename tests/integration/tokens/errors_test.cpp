// Every error of API.md's table that the daemon can reach today, with its exact status, error
// code and challenge header: what a client library keys its behaviour on.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "integration/tokens/token_checks.h"
#include "support/token_api.h"

namespace fathom::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using tokens::expect_bad_field;
using tokens::expect_insufficient_scope;
using tokens::expect_invalid_token;
using tokens::get_stats;

std::string minted_secret(const TokenApi& admin, const std::vector<std::string>& scopes,
                          const nlohmann::json& extra = nlohmann::json::object()) {
  ApiReply r = admin.mint("errors-test", scopes, extra);
  EXPECT_EQ(r.status, 201) << r.describe();
  return r.body.value("token", "");
}

TEST(TokensErrors, NoCredentialsIs401WithTheBareChallenge) {
  TokenProxy p;
  expect_invalid_token(fetch(p.port(), "GET", "/v1/stats"), false);
  expect_invalid_token(fetch(p.port(), "GET", "/v1/tokens"), false);
  expect_invalid_token(fetch(p.port(), "POST", "/v1/tokens", "", R"({"name":"x"})"), false);
  expect_invalid_token(fetch(p.port(), "GET", "/v1/auth/me"), false);
  EXPECT_EQ(p.lake.record_bytes(), 0u) << "a request without a token reached the lake";
}

TEST(TokensErrors, MalformedAuthorizationHeaderIs401) {
  TokenProxy p;
  // Each of these presents something as a credential, so the challenge names invalid_token.
  const std::vector<std::string> headers = {"Authorization: Basic dXNlcjpwYXNz\r\n",
                                            "Authorization: Bearer\r\n",
                                            "Authorization: Bearer " + p.admin_token + " extra\r\n",
                                            "Authorization: Token " + p.admin_token + "\r\n"};
  for (const std::string& header : headers) {
    SCOPED_TRACE(header);
    expect_invalid_token(fetch(p.port(), "GET", "/v1/stats", header), true);
  }
  EXPECT_EQ(p.lake.record_bytes(), 0u);
  // The scheme name is case-insensitive (RFC 7235): these are not malformed.
  EXPECT_EQ(
      fetch(p.port(), "GET", "/v1/stats", "Authorization: bearer " + p.admin_token + "\r\n").status,
      200);
  EXPECT_EQ(
      fetch(p.port(), "GET", "/v1/stats", "Authorization: BEARER " + p.admin_token + "\r\n").status,
      200);
}

TEST(TokensErrors, BadFormatAndBadChecksumAre401) {
  TokenProxy p;
  const std::string good = p.admin_token;
  ASSERT_TRUE(tokens::well_formed_token(good)) << good;
  std::string wrong_checksum = good;
  wrong_checksum[41] = wrong_checksum[41] == '0' ? '1' : '0';
  for (const std::string& token : {
           std::string("fth_short"),
           "abc_" + good.substr(4),                     // wrong prefix
           good.substr(0, 41),                          // one character short
           good + "x",                                  // one character long
           good.substr(0, 20) + "-" + good.substr(21),  // not base62
           tokens::with_flipped_char(good),  // randomness changed: checksum no longer fits
           wrong_checksum,                   // checksum changed
       }) {
    SCOPED_TRACE(token);
    expect_invalid_token(get_stats(p.port(), token), true);
  }
  EXPECT_EQ(p.lake.record_bytes(), 0u);
  EXPECT_EQ(get_stats(p.port(), good).status, 200) << "the unchanged token still works";
}

TEST(TokensErrors, UnknownRevokedAndExpiredTokensAre401) {
  TokenProxy p;
  TokenApi admin = p.admin();

  const std::string unknown = tokens::unminted_token();
  ASSERT_TRUE(tokens::well_formed_token(unknown));
  expect_invalid_token(get_stats(p.port(), unknown), true);
  expect_invalid_token(get_stats(p.port(), unknown), true);  // now from the negative cache

  ApiReply revoked = admin.mint("to-revoke", {"lake:read"});
  ASSERT_EQ(revoked.status, 201) << revoked.describe();
  const std::string revoked_secret = revoked.body["token"];
  ASSERT_EQ(get_stats(p.port(), revoked_secret).status, 200);
  ASSERT_EQ(admin.revoke(revoked.body["token_id"].get<std::string>()).status, 200);
  expect_invalid_token(get_stats(p.port(), revoked_secret), true);
  expect_invalid_token(p.as(revoked_secret).me().response, true);

  const std::string expiring = minted_secret(admin, {"lake:read"}, {{"expires_in", 1}});
  // expires_in has whole-second resolution: after 2.2 s it has certainly passed.
  std::this_thread::sleep_for(milliseconds(2200));
  expect_invalid_token(get_stats(p.port(), expiring), true);
  EXPECT_EQ(p.lake.recorded_heads().size(), 1u) << "only the one good request reached the lake";
}

TEST(TokensErrors, MissingScopeIs403NamingTheScope) {
  TokenProxy p;
  TokenApi admin = p.admin();
  const std::string reader = minted_secret(admin, {"lake:read"});
  const std::string writer = minted_secret(admin, {"lake:write"});

  expect_insufficient_scope(fetch(p.port(), "POST", "/v1/items", bearer(reader), "{}"),
                            "lake:write");
  expect_insufficient_scope(fetch(p.port(), "DELETE", "/v1/items/1", bearer(reader)), "lake:write");
  expect_insufficient_scope(get_stats(p.port(), writer), "lake:read");
  expect_insufficient_scope(p.as(reader).list().response, "tokens:manage");
  expect_insufficient_scope(p.as(reader).mint("x", {"lake:read"}).response, "tokens:manage");
  EXPECT_EQ(p.lake.record_bytes(), 0u) << "a refused request reached the lake";
  // /v1/auth/me needs any valid token.
  EXPECT_EQ(p.as(reader).me().status, 200);
}

TEST(TokensErrors, BadMintBodiesAre400NamingTheField) {
  TokenProxy p;
  TokenApi admin = p.admin();
  const auto post = [&](const std::string& body) { return admin.call("POST", "/v1/tokens", body); };

  for (const char* body :
       {"{", "not json", "[]", "\"name\"", R"({"name":"x","scopes":["lake:read"])"}) {
    SCOPED_TRACE(body);
    ApiReply r = post(body);
    EXPECT_EQ(r.status, 400) << r.describe();
    EXPECT_EQ(r.error(), "invalid_request") << r.describe();
  }

  struct Case {
    nlohmann::json body;
    std::string field;
  };
  const std::vector<std::string> read = {"lake:read"};
  std::vector<std::string> too_many;
  for (int i = 0; i < 33; ++i) too_many.push_back("s" + std::to_string(i));
  const std::vector<Case> cases = {
      {{{"scopes", read}}, "name"},
      {{{"name", ""}, {"scopes", read}}, "name"},
      {{{"name", "   "}, {"scopes", read}}, "name"},
      {{{"name", std::string(65, 'n')}, {"scopes", read}}, "name"},
      {{{"name", "tab\there"}, {"scopes", read}}, "name"},
      {{{"name", 7}, {"scopes", read}}, "name"},
      {{{"name", "x"}}, "scopes"},
      {{{"name", "x"}, {"scopes", nlohmann::json::array()}}, "scopes"},
      {{{"name", "x"}, {"scopes", "lake:read"}}, "scopes"},
      {{{"name", "x"}, {"scopes", too_many}}, "scopes"},
      {{{"name", "x"}, {"scopes", {"Lake:Read"}}}, "scopes"},
      {{{"name", "x"}, {"scopes", {"lake read"}}}, "scopes"},
      {{{"name", "x"}, {"scopes", {"9lake"}}}, "scopes"},
      {{{"name", "x"}, {"scopes", {std::string(65, 'a')}}}, "scopes"},
      {{{"name", "x"}, {"scopes", {"lake:read", 3}}}, "scopes"},
      {{{"name", "x"}, {"scopes", read}, {"expires_in", 0}}, "expires_in"},
      {{{"name", "x"}, {"scopes", read}, {"expires_in", -5}}, "expires_in"},
      {{{"name", "x"}, {"scopes", read}, {"expires_in", "60"}}, "expires_in"},
      {{{"name", "x"}, {"scopes", read}, {"expires_in", 1.5}}, "expires_in"},
      {{{"name", "x"}, {"scopes", read}, {"expires_at", "tomorrow"}}, "expires_at"},
      {{{"name", "x"}, {"scopes", read}, {"expires_at", "2001-01-01T00:00:00Z"}}, "expires_at"},
      {{{"name", "x"}, {"scopes", read}, {"colour", "blue"}}, "colour"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body.dump());
    expect_bad_field(post(c.body.dump()), c.field);
  }
  // Both ways of giving an expiry at once is ambiguous.
  ApiReply both =
      admin.mint("x", read, {{"expires_in", 60}, {"expires_at", "2099-01-01T00:00:00Z"}});
  EXPECT_EQ(both.status, 400) << both.describe();

  // The limits themselves are accepted: 64 characters, 32 scopes.
  std::vector<std::string> thirty_two(too_many.begin(), too_many.begin() + 32);
  EXPECT_EQ(admin.mint(std::string(64, 'n'), thirty_two).status, 201);

  // Nothing refused was created: only the bootstrap token and the one at the limits exist.
  ApiReply all = admin.list("all");
  ASSERT_EQ(all.status, 200) << all.describe();
  EXPECT_EQ(all.body["tokens"].size(), 2u) << all.describe();
}

TEST(TokensErrors, BadRotateBodiesAndListQueriesAre400NamingTheField) {
  TokenProxy p;
  TokenApi admin = p.admin();
  ApiReply minted = admin.mint("rot", {"lake:read"});
  ASSERT_EQ(minted.status, 201) << minted.describe();
  const std::string path = "/v1/tokens/" + minted.body["token_id"].get<std::string>() + "/rotate";
  for (const char* body : {R"({"grace_seconds":-1})", R"({"grace_seconds":2592001})",
                           R"({"grace_seconds":"60"})", R"({"grace_seconds":1.5})"}) {
    SCOPED_TRACE(body);
    expect_bad_field(admin.call("POST", path, body), "grace_seconds");
  }
  expect_bad_field(admin.call("POST", path, R"({"grace":5})"), "grace");
  expect_bad_field(admin.list("bogus"), "status");
  EXPECT_EQ(admin.show(minted.body["token_id"].get<std::string>()).body["rotated_to"], nullptr)
      << "a refused rotation rotated";
}

TEST(TokensErrors, TwoAuthorizationHeadersAre400) {
  TokenProxy p;
  const std::string header = bearer(p.admin_token);
  Response r = fetch(p.port(), "GET", "/v1/stats", header + header);
  EXPECT_EQ(r.status, 400) << r.status_line() << "\n" << r.body;
  EXPECT_EQ(r.json().value("error", ""), "invalid_request") << r.body;
  EXPECT_EQ(p.lake.record_bytes(), 0u);
}

TEST(TokensErrors, TokenInTheQueryStringIs401) {
  TokenProxy p;
  Response r = fetch(p.port(), "GET", "/v1/stats?access_token=" + p.admin_token);
  EXPECT_EQ(r.status, 401) << r.status_line() << "\n" << r.body;
  EXPECT_EQ(r.json().value("error", ""), "invalid_token") << r.body;
  EXPECT_EQ(r.header("WWW-Authenticate").value_or("").rfind(R"(Bearer realm="fathom")", 0), 0u)
      << r.header("WWW-Authenticate").value_or("(none)");
  // Refused even beside a good header: the query string ends up in logs along the way.
  r = fetch(p.port(), "GET", "/v1/stats?x=1&access_token=" + p.admin_token, bearer(p.admin_token));
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(p.lake.record_bytes(), 0u);
}

TEST(TokensErrors, UnknownTokenIdIs404) {
  TokenProxy p;
  TokenApi admin = p.admin();
  for (const char* id : {"tok_0000000000000000", "tok_zzzzzzzzzzzzzzzz", "not-an-id"}) {
    SCOPED_TRACE(id);
    for (const ApiReply& r : {admin.show(id), admin.revoke(id), admin.rotate(id)}) {
      EXPECT_EQ(r.status, 404) << r.describe();
      EXPECT_EQ(r.error(), "not_found") << r.describe();
    }
  }
}

TEST(TokensErrors, RevokingTheLastAdminTokenIs409) {
  TokenProxy p;
  TokenApi admin = p.admin();
  ApiReply me = admin.me();
  ASSERT_EQ(me.status, 200) << me.describe();
  const std::string id = me.body["token_id"];

  ApiReply refused = admin.revoke(id);
  EXPECT_EQ(refused.status, 409) << refused.describe();
  EXPECT_EQ(refused.error(), "conflict");
  EXPECT_EQ(admin.show(id).body["status"], "active");
  EXPECT_EQ(admin.me().status, 200) << "the refused revoke must leave the token working";

  // A tokens:manage token is not an admin (API.md "Scopes"): minting one frees nothing.
  ApiReply helper = admin.mint("helper", {"tokens:manage"});
  ASSERT_EQ(helper.status, 201) << helper.describe();
  EXPECT_EQ(admin.revoke(id).status, 409);

  // A second lasting admin token frees the bootstrap token; then the new one is the last.
  ApiReply manager = admin.mint("manager", {"admin"});
  ASSERT_EQ(manager.status, 201) << manager.describe();
  ASSERT_EQ(admin.revoke(id).status, 200);
  TokenApi second = p.as(manager.body["token"]);
  ApiReply last = second.revoke(manager.body["token_id"].get<std::string>());
  EXPECT_EQ(last.status, 409) << last.describe();
  EXPECT_EQ(second.me().status, 200);
  // Revoking is idempotent: the revoked bootstrap token answers 200 again, unchanged.
  ApiReply again = second.revoke(id);
  EXPECT_EQ(again.status, 200) << again.describe();
  EXPECT_EQ(again.body["status"], "revoked");
}

constexpr int kBurst = 4;

TEST(TokensErrors, FailureBurstFromOneAddressIs429ButACachedValidTokenStillWorks) {
  TokenProxy p([](nlohmann::json& config) {
    // Small on purpose: the burst is used up in a few requests, and refills slowly (one a
    // minute), so the 429 is still in force when the test checks it.
    // No lookups for uncached tokens while limited, so that every bad token below is 429 (the
    // lookup budget has its own test:
    // HostileClients.AValidTokenGoesThroughWhileItsAddressIsLimited).
    config["limits"] = {{"auth_failures_per_minute", 1},
                        {"auth_failure_burst", kBurst},
                        {"limited_lookups_per_minute", 0}};
  });
  TokenApi admin = p.admin();
  const std::string reader = minted_secret(admin, {"lake:read"});
  ASSERT_EQ(get_stats(p.port(), reader).status, 200);  // now known valid in the cache

  const std::string unknown = tokens::unminted_token();
  for (int i = 0; i < kBurst; ++i) {
    SCOPED_TRACE("failure " + std::to_string(i + 1));
    expect_invalid_token(get_stats(p.port(), unknown), true);
  }
  for (const std::string& bad : {unknown, std::string("fth_bad"), tokens::unminted_token('R')}) {
    SCOPED_TRACE(bad);
    Response limited = get_stats(p.port(), bad);
    EXPECT_EQ(limited.status, 429) << limited.body;
    EXPECT_EQ(limited.json().value("error", ""), "rate_limited") << limited.body;
    std::string retry = limited.header("Retry-After").value_or("");
    ASSERT_FALSE(retry.empty()) << "429 without Retry-After";
    EXPECT_EQ(retry.find_first_not_of("0123456789"), std::string::npos) << retry;
    EXPECT_GE(std::stoi(retry), 1) << retry;
  }
  // The same address with a token known valid is not slowed down.
  Response ok = get_stats(p.port(), reader);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(admin.me().status, 200) << "the admin token was cached as valid at the mint";
}

}  // namespace
}  // namespace fathom::test
