// What a client without a token, or with a weak one, can do to the front door: the attacks a
// security review reproduced (issue "Hostile clients and stolen manager tokens"), each against
// the real daemon and the real lake. The lake's echo carries a "wsgi" view: the request as a
// CGI/WSGI application behind the proxy reads it (path percent-decoded, '_' and '-' alike in
// header names), which is where forged headers and encoded paths would do their harm.

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "support/http_client.h"
#include "support/lake_echo.h"
#include "support/token_api.h"

namespace fathom::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A realistic rule table: a public prefix, a denied prefix, a prefix that needs a stricter scope.
nlohmann::json hostile_rules() {
  return nlohmann::json::array({
      {{"prefix", "/v1/public/"}, {"public", true}},
      {{"prefix", "/v1/internal/"}, {"deny", true}},
      {{"prefix", "/v1/secret/"}, {"scopes", {"lake:secret"}}},
      {{"methods", {"GET", "HEAD", "OPTIONS"}}, {"prefix", "/"}, {"scopes", {"lake:read"}}},
      {{"prefix", "/"}, {"scopes", {"lake:write"}}},
  });
}

void use_hostile_rules(nlohmann::json& config) {
  config["plugins"] = nlohmann::json::array(
      {{{"name", "admin"}}, {{"name", "scope-rules"}, {"config", {{"rules", hostile_rules()}}}}});
}

std::string minted_token(const TokenProxy& p, const std::vector<std::string>& scopes,
                         const nlohmann::json& extra = nlohmann::json::object()) {
  ApiReply r = p.admin().mint("hostile-test", scopes, extra);
  EXPECT_EQ(r.status, 201) << r.describe();
  return r.body.value("token", "");
}

const nlohmann::json& environ_of(const nlohmann::json& echo) {
  return echo["wsgi"]["environ"];
}

// 1. An anonymous request on a public route must not reach a WSGI lake as the admin token.
TEST(HostileClients, UnderscoreHeadersCannotForgeTheIdentity) {
  TokenProxy p(use_hostile_rules);
  const std::string forged =
      "X_Fathom_Token_Id: tok_0000bootstrap000\r\nX-Fathom_Scopes: admin\r\n"
      "X_Fathom_Token_Name: bootstrap-admin\r\nX_Forwarded_For: 10.9.9.9\r\n";
  Response anonymous = fetch(p.port(), "GET", "/v1/public/x", forged);
  ASSERT_EQ(anonymous.status, 200) << anonymous.body;
  const nlohmann::json anonymous_echo = anonymous.json();
  const nlohmann::json& env = environ_of(anonymous_echo);
  EXPECT_FALSE(env.contains("HTTP_X_FATHOM_TOKEN_ID")) << env.dump();
  EXPECT_FALSE(env.contains("HTTP_X_FATHOM_SCOPES")) << env.dump();
  EXPECT_FALSE(env.contains("HTTP_X_FATHOM_TOKEN_NAME")) << env.dump();
  EXPECT_EQ(env.value("HTTP_X_FORWARDED_FOR", ""), "127.0.0.1") << env.dump();

  // With a token, the lake reads exactly the proxy's identity, nothing joined to it.
  const std::string reader = minted_token(p, {"lake:read"});
  Response authed = fetch(p.port(), "GET", "/v1/data", forged + bearer(reader));
  ASSERT_EQ(authed.status, 200) << authed.body;
  const nlohmann::json authed_echo = authed.json();
  const nlohmann::json& env2 = environ_of(authed_echo);
  EXPECT_EQ(env2.value("HTTP_X_FATHOM_SCOPES", ""), "lake:read") << env2.dump();
  EXPECT_TRUE(env2.value("HTTP_X_FATHOM_TOKEN_ID", "").starts_with("tok_")) << env2.dump();
  EXPECT_NE(env2.value("HTTP_X_FATHOM_TOKEN_ID", ""), "tok_0000bootstrap000");

  // Any other name with '_' is dropped too, as nginx does by default.
  Response other = fetch(p.port(), "GET", "/v1/public/x", "My_Header: 1\r\nMy-Other: 2\r\n");
  EXPECT_FALSE(echoed_header(other.json(), "My_Header")) << echoed_header_names(other.json());
  EXPECT_EQ(echoed_header(other.json(), "My-Other").value_or(""), "2");
}

TEST(HostileClients, UnderscoreNamesPassWhenAllowedButNeverAsIdentity) {
  TokenProxy p([](nlohmann::json& c) {
    use_hostile_rules(c);
    c["limits"]["allow_underscores_in_headers"] = true;
  });
  Response r = fetch(p.port(), "GET", "/v1/public/x",
                     "My_Header: 1\r\nX_Fathom_Token_Id: tok_forged\r\nX_Real_Ip: 1.2.3.4\r\n");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(echoed_header(r.json(), "My_Header").value_or(""), "1");
  const nlohmann::json echo = r.json();
  EXPECT_FALSE(environ_of(echo).contains("HTTP_X_FATHOM_TOKEN_ID"));
  EXPECT_FALSE(environ_of(echo).contains("HTTP_X_REAL_IP"));
}

// 2. Headers frameworks route on or change the method with.
TEST(HostileClients, ProxyTrustHeadersAreRemovedAndForwardedHostIsOurs) {
  TokenProxy p(use_hostile_rules);
  const std::string reader = minted_token(p, {"lake:read"});
  Response r =
      fetch(p.port(), "GET", "/v1/data",
            bearer(reader) +
                "Forwarded: for=1.2.3.4;host=evil\r\nX-Forwarded-Host: evil.example\r\n"
                "X-Forwarded-Port: 1\r\nX-Forwarded-Prefix: /admin\r\n"
                "X-Real-IP: 1.2.3.4\r\nX-Original-URL: /v1/internal/k\r\n"
                "X-Rewrite-URL: /v1/internal/k\r\nX-HTTP-Method-Override: DELETE\r\n"
                "X-HTTP-Method: DELETE\r\nX-Method-Override: DELETE\r\n"
                "Proxy-Authorization: Basic Zm9vOmJhcg==\r\nX-Forwarded-Proto: gopher\r\n");
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json echo = r.json();
  for (const char* name : {"Forwarded", "X-Forwarded-Port", "X-Forwarded-Prefix", "X-Real-IP",
                           "X-Original-URL", "X-Rewrite-URL", "X-HTTP-Method-Override",
                           "X-HTTP-Method", "X-Method-Override", "Proxy-Authorization"}) {
    EXPECT_FALSE(echoed_header(echo, name)) << name << " reached the lake";
  }
  EXPECT_EQ(echoed_headers(echo, "X-Forwarded-Host"), std::vector<std::string>{"localhost"});
  EXPECT_EQ(echoed_headers(echo, "X-Forwarded-Proto"), std::vector<std::string>{"http"});
  EXPECT_EQ(echo["wsgi"]["REQUEST_METHOD"], "GET");
}

// 3. Every spelling of a refused prefix: none may reach the lake in a form that decodes into it.
TEST(HostileClients, EncodedPathsCannotSlipPastTheRules) {
  TokenProxy p(use_hostile_rules);
  const std::string writer = minted_token(p, {"lake:read", "lake:write"});
  const char* variants[] = {"/v1/internal/k",     "/v1/%69nternal/k",  "/v1/%69%6E%74ernal/k",
                            "/v1/inter%6eal/k",   "/v1//internal/k",   "/v1/internal;x/k",
                            "/v1/internal./k",    "/v1/./internal/k",  "/v1/x/../internal/k",
                            "/v1/%2e/internal/k", "/v1%2Finternal/k",  "/v1\\internal/k",
                            "/v1/internal%00/k",  "/v1/internal%2e/k", "/%76%31/internal/k",
                            "/v1/secret/x",       "/v1/%73ecret/x",    "/v1/%73%65%63%72%65%74/x",
                            "//v1/secret/x",      "/v1/secret;/x",     "/v1/secret./x",
                            "/v1/sec%72et/x"};
  for (const char* path : variants) {
    Response r = fetch(p.port(), "GET", path, bearer(writer));
    EXPECT_TRUE(r.status == 400 || r.status == 403 || r.status == 404)
        << path << " -> " << r.status;
  }
  for (const nlohmann::json& head : p.lake.recorded_heads()) {
    const std::string decoded = head["wsgi"]["PATH_INFO"].get<std::string>();
    EXPECT_FALSE(decoded.starts_with("/v1/internal/") || decoded.starts_with("/v1/secret/"))
        << "reached the lake: " << head["path"] << " (decoded " << decoded << ")";
  }
  // The decisions themselves, as API.md states them.
  EXPECT_EQ(fetch(p.port(), "GET", "/v1/%69nternal/k", bearer(writer)).status, 403);
  Response secret = fetch(p.port(), "GET", "/v1/%73ecret/x", bearer(writer));
  EXPECT_EQ(secret.status, 403);
  EXPECT_EQ(secret.json().value("error", ""), "insufficient_scope") << secret.body;
  for (const char* path : {"/v1//internal/k", "/v1/internal;x/k", "/v1/internal./k"}) {
    Response r = fetch(p.port(), "GET", path, bearer(writer));
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_EQ(r.json().value("error", ""), "invalid_request") << r.body;
  }
}

TEST(HostileClients, TheLakeReceivesTheCanonicalPathThePoliciesSaw) {
  TokenProxy p(use_hostile_rules);
  const std::string reader = minted_token(p, {"lake:read"});
  Response r = fetch(p.port(), "GET", "/v1/d%61ta/%7efile%c3%a9?q=%2f", bearer(reader));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["path"], "/v1/data/~file%C3%A9");
  EXPECT_EQ(r.json()["query"], "q=%2f") << "the query is not the policies' business";
}

// 11. The audit's request id is the proxy's; the client's travels beside it.
TEST(HostileClients, ClientRequestIdsNeverBecomeTheProxysOwn) {
  TokenProxy p(use_hostile_rules);
  const std::string reader = minted_token(p, {"lake:read"});
  Response r = fetch(p.port(), "GET", "/v1/data", bearer(reader) + "X-Request-Id: chosen-1\r\n");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string ours = r.header("X-Request-Id").value_or("");
  EXPECT_FALSE(ours.empty());
  EXPECT_NE(ours, "chosen-1");
  EXPECT_EQ(echoed_headers(r.json(), "X-Request-Id"), std::vector<std::string>{ours});
  EXPECT_EQ(echoed_headers(r.json(), "X-Client-Request-Id"), std::vector<std::string>{"chosen-1"});
  // A client cannot send X-Client-Request-Id itself either.
  Response forged = fetch(p.port(), "GET", "/v1/public/x", "X-Client-Request-Id: framed\r\n");
  EXPECT_FALSE(echoed_header(forged.json(), "X-Client-Request-Id"));

  const std::string token_id = p.as(reader).me().body.value("token_id", "");
  nlohmann::json found;
  for (int i = 0; i < 100 && found.is_null(); ++i) {
    ApiReply audit = p.admin().call("GET", "/v1/audit?token_id=" + token_id);
    for (const nlohmann::json& e : audit.body["events"]) {
      if (e.value("path", "") == "/v1/data") found = e;
    }
    if (found.is_null()) std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_FALSE(found.is_null()) << "no audit event for the request";
  EXPECT_EQ(found["request_id"], ours);
  EXPECT_EQ(found["client_request_id"], "chosen-1");
}

// 4. POST /v1/pair needs no token: a client trickling bodies must not hold memory or slots.
TEST(HostileClients, SlowPublicBodiesAreCutOffAndBounded) {
  TokenProxy p([](nlohmann::json& c) {
    use_hostile_rules(c);
    c["timeouts"] = {{"idle", 1}, {"body_read", 2}};
  });
  // More than 1 KiB: refused before any byte of it is read.
  Response big = fetch(p.port(), "POST", "/v1/pair", "Content-Type: application/json\r\n",
                       std::string(2000, ' '));
  EXPECT_EQ(big.status, 413) << big.body;

  const long rss_before = p.daemon.rss_kb();
  std::vector<HttpConnection> stalled;
  for (int i = 0; i < 50; ++i) {
    HttpConnection c = HttpConnection::open(p.port());
    c.send_all(
        "POST /v1/pair HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\n\r\n" +
        std::string(500, ' '));
    stalled.push_back(std::move(c));
  }
  // One more that keeps sending a byte at a time stays under the idle timeout but not under the
  // whole-body deadline.
  HttpConnection trickle = HttpConnection::open(p.port());
  trickle.send_all("POST /v1/pair HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{");
  bool trickle_closed = false;
  std::string trickle_reply;
  for (int i = 0; i < 60 && !trickle_closed; ++i) {
    if (!trickle.send_tolerant(" ")) break;
    if (std::optional<std::string> got = trickle.read_some(milliseconds(500))) {
      trickle_reply += *got;
      trickle_closed = got->empty() || trickle_reply.find("\r\n\r\n") != std::string::npos;
    }
  }
  EXPECT_NE(trickle_reply.find(" 408 "), std::string::npos) << trickle_reply;

  for (HttpConnection& c : stalled) {
    CloseCheck check = c.wait_closed(seconds(20));
    EXPECT_TRUE(check.closed) << "a stalled body held its connection";
  }
  const long rss_after = p.daemon.rss_kb();
  EXPECT_LT(rss_after, rss_before + 8 * 1024) << "RSS before " << rss_before << " kB";
}

// 4. The bytes all local bodies hold at once are capped per worker: 503, not memory.
TEST(HostileClients, LocalBodyBytesAreCappedPerWorker) {
  TokenProxy p([](nlohmann::json& c) {
    use_hostile_rules(c);
    c["workers"] = 1;
    c["limits"]["max_local_body_bytes"] = 1024;
  });
  const std::string head = "POST /v1/tokens HTTP/1.1\r\nHost: localhost\r\n" +
                           bearer(p.admin_token) +
                           "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
  HttpConnection first = HttpConnection::open(p.port());
  first.send_all(head + std::string(900, ' '));
  std::this_thread::sleep_for(milliseconds(300));  // let the worker take the first body's bytes
  HttpConnection second = HttpConnection::open(p.port());
  second.send_all(head + std::string(900, ' '));
  Response refused = second.read_response();
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.json().value("error", ""), "overloaded") << refused.body;
  EXPECT_TRUE(refused.header("Retry-After")) << "503 overloaded says when to retry";
  // The first one finishes normally once its body is whole.
  first.send_all(std::string(100, ' '));
  Response done = first.read_response();
  EXPECT_EQ(done.status, 400) << "the body is spaces, not a token request: " << done.body;
}

// 5. Ten bad tokens from one NAT neighbour must not lock a valid token out.
TEST(HostileClients, AValidTokenGoesThroughWhileItsAddressIsLimited) {
  TokenProxy p([](nlohmann::json& c) {
    use_hostile_rules(c);
    c["limits"] = {{"auth_failures_per_minute", 6}, {"auth_failure_burst", 3}};
  });
  const std::string fresh = minted_token(p, {"lake:read"});  // not yet in the cache
  for (int i = 0; i < 10; ++i) fetch(p.port(), "GET", "/v1/data", bearer("not-a-token"));
  EXPECT_EQ(fetch(p.port(), "GET", "/v1/data", bearer("not-a-token")).status, 429);
  Response valid = fetch(p.port(), "GET", "/v1/data", bearer(fresh));
  EXPECT_EQ(valid.status, 200) << valid.body;
  EXPECT_EQ(fetch(p.port(), "GET", "/v1/data", bearer(fresh)).status, 200) << "now cached";
  EXPECT_EQ(fetch(p.port(), "GET", "/v1/data", bearer("still-not-a-token")).status, 429);
}

TEST(HostileClients, ARevokedTokenIsNotCountedAsAGuess) {
  TokenProxy p([](nlohmann::json& c) {
    use_hostile_rules(c);
    c["limits"] = {{"auth_failures_per_minute", 6}, {"auth_failure_burst", 3}};
  });
  ApiReply minted = p.admin().mint("old-agent", {"lake:read"});
  ASSERT_EQ(minted.status, 201);
  ASSERT_EQ(p.admin().revoke(minted.body["token_id"].get<std::string>()).status, 200);
  const std::string old = minted.body["token"];
  for (int i = 0; i < 10; ++i) {
    Response r = fetch(p.port(), "GET", "/v1/data", bearer(old));
    EXPECT_EQ(r.status, 401) << "request " << i << ": " << r.body;
  }
}

// 5. Behind a trusted proxy the client is the rightmost untrusted hop, and IPv6 counts by /64.
TEST(HostileClients, TrustedProxiesNameTheClientAndIpv6CountsBySlash64) {
  TokenProxy p([](nlohmann::json& c) {
    use_hostile_rules(c);
    c["limits"] = {{"auth_failures_per_minute", 6}, {"auth_failure_burst", 3}};
    c["trusted_proxies"] = {"127.0.0.0/8"};
  });
  auto from = [&](const std::string& client, const std::string& token) {
    return fetch(p.port(), "GET", "/v1/data",
                 "X-Forwarded-For: 203.0.113.1, " + client + "\r\n" + bearer(token))
        .status;
  };
  for (int i = 0; i < 5; ++i) from("198.51.100.7", "bad");
  EXPECT_EQ(from("198.51.100.7", "bad"), 429);
  EXPECT_EQ(from("198.51.100.8", "bad"), 401) << "another client behind the same proxy";
  for (int i = 0; i < 5; ++i) from("2001:db8:0:1::1", "bad");
  EXPECT_EQ(from("2001:db8:0:1:ffff::2", "bad"), 429) << "the same /64";
  EXPECT_EQ(from("2001:db8:0:2::1", "bad"), 401) << "another /64";

  const std::string reader = minted_token(p, {"lake:read"});
  Response r = fetch(p.port(), "GET", "/v1/data",
                     "X-Forwarded-For: 1.1.1.1, 198.51.100.9\r\n" + bearer(reader));
  EXPECT_EQ(echoed_headers(r.json(), "X-Forwarded-For"), std::vector<std::string>{"198.51.100.9"});
}

TEST(HostileClients, ForwardedForFromAnUntrustedPeerIsIgnored) {
  TokenProxy p([](nlohmann::json& c) {
    use_hostile_rules(c);
    c["limits"] = {{"auth_failures_per_minute", 6}, {"auth_failure_burst", 3}};
  });
  // Rotating X-Forwarded-For does not give a guesser fresh buckets.
  for (int i = 0; i < 5; ++i) {
    fetch(p.port(), "GET", "/v1/data",
          "X-Forwarded-For: 198.51.100." + std::to_string(i) + "\r\n" + bearer("bad"));
  }
  EXPECT_EQ(
      fetch(p.port(), "GET", "/v1/data", "X-Forwarded-For: 192.0.2.1\r\n" + bearer("bad")).status,
      429);
}

// 5. The limiter is asked before a public route reads its body.
TEST(HostileClients, ALimitedAddressDoesNotGetItsPairBodyRead) {
  TokenProxy p([](nlohmann::json& c) {
    use_hostile_rules(c);
    c["limits"] = {{"auth_failures_per_minute", 6}, {"auth_failure_burst", 3}};
  });
  for (int i = 0; i < 5; ++i) fetch(p.port(), "GET", "/v1/data", bearer("bad"));
  Response r = fetch(p.port(), "POST", "/v1/pair", "Content-Type: application/json\r\n",
                     R"({"code":"pair_000000000000000000000000"})");
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_TRUE(r.header("Retry-After"));
}

// 9. A stream ends with its token's expiry.
TEST(HostileClients, AnEventStreamClosesWhenItsTokenExpires) {
  TokenProxy p(use_hostile_rules);
  const std::string brief = minted_token(p, {"lake:read"}, {{"expires_in", 3}});
  HttpConnection c = HttpConnection::open(p.port());
  c.send_all(request("GET", "/sse?events=100000&interval_ms=200", bearer(brief)));
  Response head = c.read_head();
  ASSERT_EQ(head.status, 200);
  bool ended = false;
  try {
    c.read_body(
        head, [](std::string_view) {}, seconds(20));
  } catch (const std::exception&) {
    ended = true;  // truncated: the proxy cut it
  }
  EXPECT_TRUE(ended) << "the stream ran to its end instead of being cut at expiry";
}

TEST(HostileClients, ATunnelClosesWhenItsTokenExpires) {
  TokenProxy p(use_hostile_rules);
  const std::string brief = minted_token(p, {"lake:read"}, {{"expires_in", 3}});
  HttpConnection c = HttpConnection::open(p.port());
  c.send_all(request("GET", "/ws",
                     bearer(brief) +
                         "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: "
                         "13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
  Response head = c.read_head();
  ASSERT_EQ(head.status, 101);
  CloseCheck closed = c.wait_closed(seconds(20));
  EXPECT_TRUE(closed.closed) << "the tunnel outlived its token";
}

// 9. Revocation cuts streams, but a plain response already on its way finishes.
TEST(HostileClients, RevocationLetsAPlainResponseFinishThenCloses) {
  TokenProxy p(use_hostile_rules);
  ApiReply minted = p.admin().mint("downloader", {"lake:read"});
  ASSERT_EQ(minted.status, 201);
  const std::string token = minted.body["token"];
  HttpConnection c = HttpConnection::open(p.port());
  const uint64_t size = 64ull << 20;
  c.send_all(request("GET", "/download?bytes=" + std::to_string(size), bearer(token)));
  Response head = c.read_head();
  ASSERT_EQ(head.status, 200);
  uint64_t got = 0;
  bool revoked = false;
  c.read_body(head, [&](std::string_view part) {
    got += part.size();
    if (!revoked && got > (1u << 20)) {
      revoked = true;
      EXPECT_EQ(p.admin().revoke(minted.body["token_id"].get<std::string>()).status, 200);
    }
  });
  EXPECT_EQ(got, size) << "the download was cut by the revocation";
  EXPECT_TRUE(c.wait_closed(seconds(10)).closed) << "the connection outlived its token";
  EXPECT_EQ(fetch(p.port(), "GET", "/v1/data", bearer(token)).status, 401);
}

// 5. A TCP balancer in trusted_proxies may name the client with a PROXY protocol v2 header;
// anyone else sending one gets 400 like any other bytes that are not HTTP.
TEST(HostileClients, ProxyProtocolFromATrustedPeerNamesTheClient) {
  const std::string header =
      std::string("\r\n\r\n\0\r\nQUIT\n", 12) +
      std::string("\x21\x11\x00\x0c\xc6\x33\x64\x07\x7f\x00\x00\x01\x30\x39\x1f\x49", 16);
  {
    TokenProxy p([](nlohmann::json& c) {
      use_hostile_rules(c);
      c["trusted_proxies"] = {"127.0.0.1"};
    });
    HttpConnection c = HttpConnection::open(p.port());
    c.send_all(header + request("GET", "/v1/public/x"));
    Response r = c.read_response();
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(echoed_headers(r.json(), "X-Forwarded-For"),
              std::vector<std::string>{"198.51.100.7"});
    // The next request on the connection is the same client; no second header is read.
    c.send_all(request("GET", "/v1/public/y"));
    Response again = c.read_response();
    EXPECT_EQ(echoed_headers(again.json(), "X-Forwarded-For"),
              std::vector<std::string>{"198.51.100.7"});
  }
  TokenProxy untrusted(use_hostile_rules);
  HttpConnection c = HttpConnection::open(untrusted.port());
  c.send_all(header + request("GET", "/v1/public/x"));
  Response r = c.read_response();
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(untrusted.lake.record_bytes(), 0u);
}

}  // namespace
}  // namespace fathom::test
