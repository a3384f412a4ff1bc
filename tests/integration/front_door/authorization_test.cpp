// Before the "Tokens" issue there are no tokens: a route that needs scopes answers 401 with a
// Bearer challenge, and nothing reaches the lake.

#include <gtest/gtest.h>

#include "support/http_client.h"
#include "support/proxy_under_test.h"

namespace fathom::test {
namespace {

using std::chrono::seconds;

// scope-rules with no config: GET/HEAD/OPTIONS need lake:read, other methods lake:write.
void default_scope_rules(nlohmann::json& config) {
  config["plugins"] = nlohmann::json::array({{{"name", "scope-rules"}}});
}

void expect_invalid_token(const Response& r) {
  EXPECT_EQ(r.status, 401) << r.status_line() << "\n" << r.body;
  EXPECT_EQ(r.header("WWW-Authenticate").value_or("").rfind("Bearer realm=\"fathom\"", 0), 0u)
      << "WWW-Authenticate: " << r.header("WWW-Authenticate").value_or("(none)");
  EXPECT_EQ(r.json().value("error", ""), "invalid_token") << r.body;
  EXPECT_TRUE(r.json().contains("message")) << r.body;
}

TEST(Authorization, ScopedRouteWithoutTokenIs401WithBearerChallenge) {
  ProxyUnderTest p(default_scope_rules);
  expect_invalid_token(fetch(p.port(), "GET", "/v1/stats"));
  expect_invalid_token(fetch(p.port(), "POST", "/v1/items", "", "{}"));
  expect_invalid_token(fetch(p.port(), "DELETE", "/v1/items/1"));
  EXPECT_EQ(fetch(p.port(), "GET", "/healthz").status, 200) << "/healthz needs no token";
  EXPECT_EQ(p.lake.record_bytes(), 0u) << "a request without a token reached the lake";
}

TEST(Authorization, RefusalKeepsTheConnectionUsable) {
  ProxyUnderTest p(default_scope_rules);
  HttpConnection conn = HttpConnection::open(p.port());
  conn.send_all(request("GET", "/v1/stats"));
  expect_invalid_token(conn.read_response("GET"));
  conn.send_all(request("GET", "/healthz"));
  EXPECT_EQ(conn.read_response("GET").status, 200);
}

TEST(Authorization, ExpectContinueOnAProtectedRouteIsRefusedBeforeTheBody) {
  ProxyUnderTest p(default_scope_rules);
  HttpConnection conn = HttpConnection::open(p.port());
  conn.send_all(
      "POST /v1/items HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n"
      "Expect: 100-continue\r\n\r\n");
  // The point of 100-continue: the client learns of the refusal without sending 100 kB.
  Response r = conn.read_response("POST", seconds(5));
  expect_invalid_token(r);
  EXPECT_EQ(p.lake.record_bytes(), 0u);
}

TEST(Authorization, ScopeRulesConfigCanMarkRoutesPublicAndDenied) {
  ProxyUnderTest p([](nlohmann::json& config) {
    config["plugins"] = nlohmann::json::array(
        {{{"name", "scope-rules"},
          {"config",
           {{"rules", nlohmann::json::array({
                          {{"prefix", "/public/"}, {"public", true}},
                          {{"prefix", "/denied/"}, {"deny", true}},
                          {{"methods", {"GET"}}, {"prefix", "/"}, {"scopes", {"lake:read"}}},
                      })}}}}});
  });
  EXPECT_EQ(fetch(p.port(), "GET", "/public/x").status, 200);
  Response denied = fetch(p.port(), "GET", "/denied/x");
  EXPECT_TRUE(denied.status == 401 || denied.status == 403) << denied.status_line();
  EXPECT_TRUE(denied.json().contains("error")) << denied.body;
  expect_invalid_token(fetch(p.port(), "GET", "/other"));
  std::vector<nlohmann::json> heads = p.lake.recorded_heads();
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(heads[0]["path"], "/public/x");
}

}  // namespace
}  // namespace fathom::test
