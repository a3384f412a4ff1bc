// Bytes that cannot start an HTTP request (a TLS client pointed at the plain listener) are refused
// with 400 as soon as they arrive, and the connection closed: not left to the header timeout.

#include <gtest/gtest.h>

#include <string>

#include "support/http_client.h"
#include "support/proxy_under_test.h"

namespace fathom::test {
namespace {

using std::chrono::seconds;

// The start of a TLS 1.3 ClientHello as a TLS library sends it: a handshake record (0x16), record
// version 3.1, length 0x0200, ClientHello (0x01), version 3.3, then its random. No LF in it, so
// that no line framing can end it early: only its first byte gives it away.
const std::string kClientHello(
    "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\xb2\x7e\xa7\x22\x32\x8c\x7e\xca\x4f\xca\x56\x33"
    "\xf5\x24\x3f\x4d\x92\xd7\xc3\x8e\x82\x01\xb6\x53\x38\x78\x32\xf8\xa0\x4e\x65\x6b\x20\x1c\x7e"
    "\x45\xa3",
    48);

// The header timeout is far longer than any wait below, so only the early refusal can answer.
ProxyUnderTest long_header_timeout() {
  return ProxyUnderTest([](nlohmann::json& c) { c["timeouts"] = {{"header_read", 60}}; });
}

void expect_refused_and_closed(HttpConnection& conn, ProxyUnderTest& p) {
  Response r = conn.read_response("GET", seconds(20));
  EXPECT_EQ(r.status, 400) << r.status_line() << "\n" << r.body;
  nlohmann::json body = r.json();
  EXPECT_EQ(body.value("error", ""), "invalid_request") << r.body;
  EXPECT_NE(body.value("message", "").find("plain HTTP/1.1"), std::string::npos) << r.body;
  CloseCheck closed = conn.wait_closed(seconds(20));
  EXPECT_TRUE(closed.closed) << "the connection stayed open after the refusal";
  EXPECT_EQ(closed.extra, "");
  EXPECT_EQ(p.lake.recorded_heads().size(), 0u) << "something reached the lake";
}

TEST(NotHttp, ATlsClientHelloOnThePlainPortIsRefusedAtOnce) {
  ProxyUnderTest p = long_header_timeout();
  HttpConnection conn = HttpConnection::open(p.port());
  conn.send_tolerant(kClientHello);
  expect_refused_and_closed(conn, p);
}

TEST(NotHttp, TheFirstByteAloneIsEnough) {
  ProxyUnderTest p = long_header_timeout();
  HttpConnection conn = HttpConnection::open(p.port());
  conn.send_tolerant(kClientHello.substr(0, 1));
  expect_refused_and_closed(conn, p);
}

TEST(NotHttp, EmptyLinesBeforeTheRequestLineAreStillAllowed) {
  ProxyUnderTest p = long_header_timeout();
  HttpConnection conn = HttpConnection::open(p.port());
  conn.send_all("\r\n\r\nGET /after-empty-lines HTTP/1.1\r\nHost: localhost\r\n\r\n");
  Response r = conn.read_response("GET", seconds(20));
  EXPECT_EQ(r.status, 200) << r.status_line() << "\n" << r.body;
  EXPECT_EQ(r.json().value("path", ""), "/after-empty-lines") << r.body;
}

}  // namespace
}  // namespace fathom::test
