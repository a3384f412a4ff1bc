// Forwarding through the real daemon to the real lake: what is added, what is stripped, and how
// messages are framed on the way (keep-alive, pipelining, 100-continue, chunked, close-delimited,
// HEAD). Every route is public here, so only the proxy's own rules decide.

#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "support/http_client.h"
#include "support/lake_echo.h"
#include "support/proc_status.h"
#include "support/proxy_under_test.h"
#include "support/sha256.h"

namespace fathom::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

bool sane_request_id(const std::string& id) {
  // [A-Za-z0-9._-]{1,128}, as API.md defines a sane id.
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

// Bytes of /download and friends: byte i is 'a' + i % 26.
bool is_download_pattern(std::string_view body) {
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != static_cast<char>('a' + i % 26)) return false;
  }
  return true;
}

TEST(Forwarding, HealthzIsAnsweredLocally) {
  ProxyUnderTest p;
  Response r = fetch(p.port(), "GET", "/healthz");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), nlohmann::json({{"status", "ok"}})) << r.body;
  EXPECT_EQ(p.lake.record_bytes(), 0u) << "/healthz was forwarded";
}

TEST(Forwarding, LakeRoutesAreForwarded) {
  ProxyUnderTest p;
  Response r = fetch(p.port(), "GET", "/v1/stats");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json().is_object()) << r.body;
  std::vector<nlohmann::json> heads = p.lake.recorded_heads();
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(heads[0]["method"], "GET");
  EXPECT_EQ(heads[0]["path"], "/v1/stats");
}

TEST(Forwarding, AddsForwardedHeadersAndStripsClientFathomAndHopByHopHeaders) {
  ProxyUnderTest p;
  Response r = fetch(p.port(), "GET", "/echo/headers?a=1&b=%20",
                     "X-Request-Id: client-id.42_ok\r\n"
                     "X-Fathom-Token-Id: tok_forged\r\n"
                     "x-fathom-scopes: admin\r\n"
                     "X-Fathom-Anything: forged\r\n"
                     "Connection: keep-alive, X-Hop-Listed\r\n"
                     "X-Hop-Listed: secret\r\n"
                     "Keep-Alive: timeout=5\r\n"
                     "Proxy-Connection: keep-alive\r\n"
                     "TE: trailers\r\n"
                     "Trailer: X-Checksum\r\n"
                     "Upgrade: websocket\r\n"
                     "X-Kept: yes\r\n");
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json echo = r.json();
  ASSERT_TRUE(echo.is_object()) << r.body;
  SCOPED_TRACE("headers the lake got: " + echoed_header_names(echo));

  EXPECT_EQ(echo["method"], "GET");
  EXPECT_EQ(echo["path"], "/echo/headers");
  EXPECT_EQ(echo["query"], "a=1&b=%20");

  EXPECT_EQ(echoed_headers(echo, "X-Forwarded-For"), std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(echoed_headers(echo, "X-Forwarded-Proto"), std::vector<std::string>{"http"});
  // The request id is always the proxy's own; the client's goes along beside it.
  const std::string ours = r.header("X-Request-Id").value_or("");
  EXPECT_TRUE(sane_request_id(ours)) << ours;
  EXPECT_NE(ours, "client-id.42_ok");
  EXPECT_EQ(echoed_headers(echo, "X-Request-Id"), std::vector<std::string>{ours});
  EXPECT_EQ(echoed_headers(echo, "X-Client-Request-Id"),
            std::vector<std::string>{"client-id.42_ok"});

  for (const nlohmann::json& h : echo["headers"]) {
    std::string name = h[0].get<std::string>();
    std::string value = h[1].get<std::string>();
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.rfind("x-fathom-", 0) == 0) {
      EXPECT_TRUE(value != "tok_forged" && value != "admin" && value != "forged")
          << "a client X-Fathom-* header was forwarded: " << name << ": " << value;
    }
  }
  for (const char* hop : {"X-Hop-Listed", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
                          "Upgrade", "Transfer-Encoding"}) {
    EXPECT_EQ(echoed_headers(echo, hop).size(), 0u) << hop << " was forwarded";
  }
  for (const std::string& connection : echoed_headers(echo, "Connection")) {
    EXPECT_EQ(connection.find("X-Hop-Listed"), std::string::npos) << connection;
  }
  EXPECT_EQ(echoed_headers(echo, "X-Kept"), std::vector<std::string>{"yes"});
}

TEST(Forwarding, RequestIdIsGeneratedWhenMissingOrNotSane) {
  ProxyUnderTest p;
  const std::string too_long(129, 'a');
  std::vector<std::string> seen;
  for (std::string header :
       {std::string(), std::string("X-Request-Id: has spaces\r\n"),
        "X-Request-Id: " + too_long + "\r\n", std::string("X-Request-Id: semi;colon\r\n"),
        std::string("X-Request-Id: \r\n")}) {
    SCOPED_TRACE("sent: " + (header.empty() ? std::string("(no X-Request-Id)") : header));
    Response r = fetch(p.port(), "GET", "/echo/request-id", header);
    ASSERT_EQ(r.status, 200) << r.body;
    std::vector<std::string> ids = echoed_headers(r.json(), "X-Request-Id");
    ASSERT_EQ(ids.size(), 1u) << "the lake must get exactly one X-Request-Id";
    EXPECT_TRUE(sane_request_id(ids[0])) << ids[0];
    EXPECT_EQ(header.find(ids[0] + "\r\n"), std::string::npos) << "the insane id was kept";
    EXPECT_EQ(r.header("X-Request-Id").value_or(""), ids[0]) << "the client gets the same id";
    seen.push_back(ids[0]);
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end()) << "generated ids repeat";
}

TEST(Forwarding, KeepAliveConnectionIsReused) {
  ProxyUnderTest p;
  HttpConnection conn = HttpConnection::open(p.port());
  for (int i = 0; i < 5; ++i) {
    std::string path = "/keep-alive/" + std::to_string(i);
    conn.send_all(request("GET", path));
    Response r = conn.read_response("GET");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["path"], path);
    EXPECT_TRUE(r.keep_alive) << "the daemon asked to close a keep-alive connection";
    EXPECT_TRUE(conn.quiet_and_open()) << "the connection closed or sent extra bytes";
  }
  EXPECT_EQ(p.lake.recorded_heads().size(), 5u);
  // The daemon's side too: one pooled connection to the lake served all five.
  PortConnections upstream = connections_involving(p.lake.port());
  EXPECT_EQ(upstream.established_to, 1) << "connections from the daemon to the lake";
  EXPECT_EQ(upstream.time_wait, 0) << "upstream connections were closed instead of reused";
}

TEST(Forwarding, PipelinedRequestsAreAnsweredInOrder) {
  ProxyUnderTest p;
  HttpConnection conn = HttpConnection::open(p.port());
  conn.send_all(request("GET", "/pipe/1") + request("POST", "/pipe/2", "", "body-two") +
                request("GET", "/healthz") + request("HEAD", "/pipe/4") +
                request("PUT", "/pipe/5", "Transfer-Encoding: chunked\r\n", "") +
                "3\r\nabc\r\n0\r\n\r\n" + request("GET", "/pipe/6"));
  Response r1 = conn.read_response("GET");
  EXPECT_EQ(r1.json()["path"], "/pipe/1") << r1.body;
  Response r2 = conn.read_response("POST");
  EXPECT_EQ(r2.json()["path"], "/pipe/2") << r2.body;
  EXPECT_EQ(r2.json()["body_bytes"], 8) << r2.body;
  Response r3 = conn.read_response("GET");
  EXPECT_EQ(r3.json(), nlohmann::json({{"status", "ok"}})) << r3.body;
  Response r4 = conn.read_response("HEAD");
  EXPECT_EQ(r4.status, 200);
  EXPECT_EQ(r4.body, "");
  Response r5 = conn.read_response("PUT");
  EXPECT_EQ(r5.json()["path"], "/pipe/5") << r5.body;
  EXPECT_EQ(r5.json()["body_bytes"], 3) << r5.body;
  Response r6 = conn.read_response("GET");
  EXPECT_EQ(r6.json()["path"], "/pipe/6") << r6.body;
  EXPECT_TRUE(conn.quiet_and_open());
}

TEST(Forwarding, ExpectContinueGetsAnInterimResponseBeforeTheBody) {
  ProxyUnderTest p;
  HttpConnection conn = HttpConnection::open(p.port());
  const std::string body = "eleven byte";
  conn.send_all(
      "POST /expect HTTP/1.1\r\nHost: localhost\r\nContent-Length: 11\r\n"
      "Expect: 100-continue\r\n\r\n");
  Response interim = conn.read_head("POST", seconds(5));
  ASSERT_EQ(interim.status, 100) << "expected \"100 Continue\" before the body was sent, got "
                                 << interim.status_line();
  conn.send_all(body);
  Response r = conn.read_response("POST");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["body_bytes"], 11);
  EXPECT_EQ(r.json()["body_sha256"], sha256_hex(body));
}

TEST(Forwarding, ChunkedRequestBodyIsForwardedIntact) {
  ProxyUnderTest p;
  HttpConnection conn = HttpConnection::open(p.port());
  conn.send_all(
      "POST /chunked-upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n");
  Sha256 sha;
  uint64_t total = 0;
  uint32_t x = 12345;
  for (size_t size :
       {size_t{1}, size_t{1000}, size_t{65536}, size_t{200000}, size_t{7}, size_t{1} << 20}) {
    std::string chunk(size, '\0');
    for (char& c : chunk) {
      x = x * 1664525u + 1013904223u;  // any varied bytes will do
      c = static_cast<char>(x >> 24);
    }
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx;ext=1\r\n", size);
    conn.send_all(size_line + chunk + "\r\n");
    sha.update(chunk);
    total += size;
  }
  conn.send_all("0\r\nX-Trailer: t\r\n\r\n");
  Response r = conn.read_response("POST", seconds(30));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["body_bytes"], total);
  EXPECT_EQ(r.json()["body_sha256"], sha.hex_digest());
}

TEST(Forwarding, ContentLengthRequestBodyIsForwardedIntact) {
  ProxyUnderTest p;
  std::string body(3 << 20, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>((i * 7919) >> 3);
  Response r = fetch(p.port(), "PUT", "/cl-upload", "", body, seconds(30));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["body_bytes"], body.size());
  EXPECT_EQ(r.json()["body_sha256"], sha256_hex(body));
}

TEST(Forwarding, ChunkedResponseIsRelayed) {
  ProxyUnderTest p;
  Response r = fetch(p.port(), "GET", "/download?bytes=300001&chunked=1");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), 300001u);
  EXPECT_TRUE(is_download_pattern(r.body));
}

TEST(Forwarding, CloseDelimitedResponseIsRelayed) {
  ProxyUnderTest p;
  HttpConnection conn = HttpConnection::open(p.port());
  conn.send_all(request("GET", "/close-delimited?bytes=100000"));
  Response r = conn.read_response("GET", seconds(15));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), 100000u) << "the daemon must relay every byte up to the lake's close";
}

TEST(Forwarding, HeadResponseHasNoBody) {
  ProxyUnderTest p;
  HttpConnection conn = HttpConnection::open(p.port());
  conn.send_all(request("HEAD", "/download?bytes=5000"));
  Response r = conn.read_response("HEAD");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  // Had any body bytes followed the head, they would now be read as the next response.
  conn.send_all(request("GET", "/healthz"));
  Response next = conn.read_response("GET");
  EXPECT_EQ(next.status, 200) << next.status_line();
  EXPECT_EQ(next.json(), nlohmann::json({{"status", "ok"}})) << next.body;
}

TEST(Forwarding, UpstreamStatusesArePassedOn) {
  ProxyUnderTest p;
  HttpConnection conn = HttpConnection::open(p.port());
  for (int status : {201, 204, 404, 409, 500, 503}) {
    conn.send_all(request("GET", "/status/" + std::to_string(status)));
    Response r = conn.read_response("GET");
    EXPECT_EQ(r.status, status) << r.status_line();
  }
}

}  // namespace
}  // namespace fathom::test
