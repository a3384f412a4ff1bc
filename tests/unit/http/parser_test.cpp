#include "http/parser.h"

#include <gtest/gtest.h>

#include <string>

namespace fathom::http {
namespace {

constexpr std::string_view kGet =
    "GET /v1/items?limit=10 HTTP/1.1\r\n"
    "Host: lake.example:8080\r\n"
    "User-Agent: test\r\n"
    "Accept: */*\r\n"
    "\r\n";

Refusal refusal_of(std::string_view in, const HeadLimits& limits = {}) {
  RequestHead head;
  const ParseResult r = parse_request_head(in, limits, head);
  EXPECT_EQ(r.status, ParseStatus::refused) << in;
  EXPECT_EQ(r.consumed, 0u);
  return r.refusal;
}

ParseResult parse(std::string_view in, RequestHead& head, const HeadLimits& limits = {}) {
  return parse_request_head(in, limits, head);
}

// A request with the given header lines (each without CRLF) and a Host.
std::string request(std::string_view lines, std::string_view line = "GET / HTTP/1.1") {
  std::string s(line);
  s += "\r\nHost: h\r\n";
  if (!lines.empty()) s.append(lines).append("\r\n");
  s += "\r\n";
  return s;
}

TEST(RequestParser, ParsesASimpleGet) {
  RequestHead head;
  const ParseResult r = parse(kGet, head);
  ASSERT_EQ(r.status, ParseStatus::done);
  EXPECT_EQ(r.consumed, kGet.size());
  EXPECT_EQ(r.refusal, Refusal::none);
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(head.target, "/v1/items?limit=10");
  EXPECT_EQ(head.path, "/v1/items");
  EXPECT_EQ(head.query, "limit=10");
  EXPECT_EQ(head.host, "lake.example:8080");
  EXPECT_EQ(head.version, Version::http11);
  ASSERT_EQ(head.headers.size(), 3u);
  EXPECT_EQ(head.headers[1].name, "User-Agent");
  EXPECT_EQ(head.headers[1].value, "test");
  EXPECT_EQ(head.framing, Framing::none);
  EXPECT_EQ(head.content_length, 0u);
  EXPECT_TRUE(head.keep_alive);
  EXPECT_FALSE(head.expect_continue);
  EXPECT_FALSE(head.upgrade);
}

TEST(RequestParser, ViewsPointIntoTheBuffer) {
  const std::string buf(kGet);
  RequestHead head;
  ASSERT_EQ(parse(buf, head).status, ParseStatus::done);
  EXPECT_EQ(head.method.data(), buf.data());
  EXPECT_EQ(head.host.data(), buf.data() + buf.find("lake.example"));
}

TEST(RequestParser, NeedsMoreUntilTheBlankLineArrivesByteByByte) {
  RequestHead head;
  for (size_t n = 0; n < kGet.size(); ++n) {
    const ParseResult r = parse(kGet.substr(0, n), head);
    ASSERT_EQ(r.status, ParseStatus::need_more) << n;
    EXPECT_EQ(r.consumed, 0u);
  }
  EXPECT_EQ(parse(kGet, head).status, ParseStatus::done);
}

TEST(RequestParser, StopsAtTheBlankLineOfPipelinedRequests) {
  const std::string second = "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc";
  const std::string buf = std::string(kGet) + second;
  RequestHead head;
  ParseResult r = parse(buf, head);
  ASSERT_EQ(r.status, ParseStatus::done);
  EXPECT_EQ(r.consumed, kGet.size());
  r = parse(std::string_view(buf).substr(r.consumed), head);
  ASSERT_EQ(r.status, ParseStatus::done);
  EXPECT_EQ(r.consumed, second.size() - 3);
  EXPECT_EQ(head.method, "POST");
  EXPECT_EQ(head.headers.size(), 2u);  // the first request's headers are gone
  EXPECT_EQ(head.framing, Framing::content_length);
  EXPECT_EQ(head.content_length, 3u);
}

TEST(RequestParser, ReusesTheHeadersCapacity) {
  RequestHead head;
  ASSERT_EQ(parse(kGet, head).status, ParseStatus::done);
  const Header* data = head.headers.data();
  ASSERT_EQ(parse(kGet, head).status, ParseStatus::done);
  EXPECT_EQ(head.headers.data(), data);
}

TEST(RequestParser, ToleratesEmptyLinesBeforeTheRequestLine) {
  const std::string buf = "\r\n\r\n" + std::string(kGet);
  RequestHead head;
  const ParseResult r = parse(buf, head);
  ASSERT_EQ(r.status, ParseStatus::done);
  EXPECT_EQ(r.consumed, buf.size());
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(parse("\r\n", head).status, ParseStatus::need_more);
  EXPECT_EQ(parse("\r\n\r", head).status, ParseStatus::need_more);
  EXPECT_EQ(refusal_of("\n" + std::string(kGet)), Refusal::bare_lf);
}

TEST(RequestParser, RefusesMalformedRequestLines) {
  EXPECT_EQ(refusal_of("GET  / HTTP/1.1\r\nHost: h\r\n\r\n"), Refusal::bad_request_line);
  EXPECT_EQ(refusal_of("GET /  HTTP/1.1\r\nHost: h\r\n\r\n"), Refusal::bad_request_line);
  EXPECT_EQ(refusal_of(" GET / HTTP/1.1\r\nHost: h\r\n\r\n"), Refusal::bad_request_line);
  EXPECT_EQ(refusal_of("GET / HTTP/1.1 \r\nHost: h\r\n\r\n"), Refusal::bad_request_line);
  EXPECT_EQ(refusal_of("GET /\r\nHost: h\r\n\r\n"), Refusal::bad_request_line);
  EXPECT_EQ(refusal_of("GET\r\n\r\n"), Refusal::bad_request_line);
  EXPECT_EQ(refusal_of("GET / http/1.1\r\nHost: h\r\n\r\n"), Refusal::bad_request_line);
  EXPECT_EQ(refusal_of("GET / HTTP/1.10\r\nHost: h\r\n\r\n"), Refusal::bad_request_line);
  EXPECT_EQ(refusal_of("GET / HTTP/1\r\nHost: h\r\n\r\n"), Refusal::bad_request_line);
  EXPECT_EQ(refusal_of("GET / x HTTP/1.1\r\nHost: h\r\n\r\n"), Refusal::bad_request_line);
  EXPECT_EQ(refusal_of("GET / HTTP/1.1\r\r\nHost: h\r\n\r\n"), Refusal::bad_request_line);
  EXPECT_EQ(refusal_of("GET /\r HTTP/1.1\r\nHost: h\r\n\r\n"), Refusal::bad_request_line);
  EXPECT_EQ(refusal_of("\rGET / HTTP/1.1\r\nHost: h\r\n\r\n"), Refusal::bad_request_line);
  EXPECT_EQ(refusal_of("GET / HTTP/1.1\nHost: h\r\n\r\n"), Refusal::bare_lf);
}

TEST(RequestParser, RefusesMethodsThatAreNotTokens) {
  EXPECT_EQ(refusal_of("G@T / HTTP/1.1\r\nHost: h\r\n\r\n"), Refusal::bad_method);
  EXPECT_EQ(refusal_of("GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n"), Refusal::bad_method);
  EXPECT_EQ(refusal_of("G\x80T / HTTP/1.1\r\nHost: h\r\n\r\n"), Refusal::bad_method);
  RequestHead head;
  ASSERT_EQ(parse("M-SEARCH! / HTTP/1.1\r\nHost: h\r\n\r\n", head).status, ParseStatus::done);
  EXPECT_EQ(head.method, "M-SEARCH!");
}

TEST(RequestParser, RefusesBytesThatCannotStartARequestLineAtOnce) {
  // The start of a TLS 1.2 ClientHello record: handshake (0x16), version 3.1, a length.
  const std::string hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
  for (size_t n = 1; n <= hello.size(); ++n) {
    EXPECT_EQ(refusal_of(hello.substr(0, n)), Refusal::not_http) << n;
  }
  EXPECT_EQ(refusal_of("\r\n\r\n" + hello), Refusal::not_http);
  EXPECT_EQ(refusal_of(std::string(1, '\0')), Refusal::not_http);
  EXPECT_EQ(refusal_of("{\"jsonrpc\""), Refusal::not_http);
  // A method followed by anything but SP, before the line ends.
  EXPECT_EQ(refusal_of("GET\x01"), Refusal::bad_method);
  EXPECT_EQ(refusal_of("GET/"), Refusal::bad_method);
  EXPECT_EQ(refusal_of(" "), Refusal::bad_request_line);
  EXPECT_EQ(refusal_of("\rG"), Refusal::bad_request_line);
  EXPECT_EQ(refusal_of("GET\rX"), Refusal::bad_request_line);

  // What can still become a request line waits for more.
  RequestHead head;
  for (std::string_view prefix :
       {"", "\r", "\r\n", "\r\n\r", "G", "GET", "M-SEARCH!", "GET ", "GET\r", "GET /\x16"}) {
    EXPECT_EQ(parse(prefix, head).status, ParseStatus::need_more) << prefix;
  }
}

TEST(RequestParser, JudgesTheStartOfALineOnlyWithinItsLimits) {
  HeadLimits limits;
  limits.max_request_line = 32;
  // A method already over the limit is too long, whatever byte follows it, so that a shorter
  // prefix and a longer one get the same refusal.
  EXPECT_EQ(refusal_of(std::string(33, 'G'), limits), Refusal::request_line_too_long);
  EXPECT_EQ(refusal_of(std::string(33, 'G') + "\x16", limits), Refusal::request_line_too_long);
  EXPECT_EQ(refusal_of(std::string(32, 'G') + "\x16", limits), Refusal::bad_method);
  limits.max_head_bytes = 8;
  EXPECT_EQ(refusal_of("\r\n" + std::string(7, 'G'), limits), Refusal::headers_too_large);
  EXPECT_EQ(refusal_of("\r\n" + std::string(7, 'G') + "\x16", limits), Refusal::headers_too_large);
  EXPECT_EQ(refusal_of("\r\n" + std::string(6, 'G') + "\x16", limits), Refusal::bad_method);
}

TEST(RequestParser, AcceptsOnlyHttp10And11) {
  RequestHead head;
  ASSERT_EQ(parse("GET / HTTP/1.0\r\n\r\n", head).status, ParseStatus::done);
  EXPECT_EQ(head.version, Version::http10);
  EXPECT_EQ(refusal_of("GET / HTTP/1.2\r\nHost: h\r\n\r\n"), Refusal::unsupported_version);
  EXPECT_EQ(refusal_of("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), Refusal::unsupported_version);
  EXPECT_EQ(refusal_of("GET / HTTP/0.9\r\nHost: h\r\n\r\n"), Refusal::unsupported_version);
}

TEST(RequestParser, LimitsTheRequestLine) {
  HeadLimits limits;
  limits.max_request_line = 32;
  const std::string line = "GET /" + std::string(32 - 14, 'a') + " HTTP/1.1";  // 32 bytes
  ASSERT_EQ(line.size(), 32u);
  RequestHead head;
  EXPECT_EQ(parse(line + "\r\nHost: h\r\n\r\n", head, limits).status, ParseStatus::done);
  EXPECT_EQ(parse(line, head, limits).status, ParseStatus::need_more);
  EXPECT_EQ(parse(line + "\r", head, limits).status, ParseStatus::need_more);

  const std::string longer = "GET /" + std::string(32 - 13, 'a') + " HTTP/1.1";  // 33 bytes
  EXPECT_EQ(refusal_of(longer + "\r\nHost: h\r\n\r\n", limits), Refusal::request_line_too_long);
  // Reported as soon as more bytes than the limit arrived without a line end.
  EXPECT_EQ(refusal_of(std::string(33, 'G'), limits), Refusal::request_line_too_long);
  EXPECT_EQ(parse(std::string(32, 'G'), head, limits).status, ParseStatus::need_more);
}

TEST(RequestParser, LimitsTheWholeHead) {
  const std::string buf = request("X-Pad: 0123456789");
  HeadLimits limits;
  limits.max_head_bytes = buf.size();
  RequestHead head;
  ASSERT_EQ(parse(buf, head, limits).status, ParseStatus::done);
  limits.max_head_bytes = buf.size() - 1;
  EXPECT_EQ(refusal_of(buf, limits), Refusal::headers_too_large);
  // As soon as the limit is exceeded, without waiting for the end of the head.
  limits.max_head_bytes = 20;
  EXPECT_EQ(parse(buf.substr(0, 20), head, limits).status, ParseStatus::need_more);
  EXPECT_EQ(refusal_of(buf.substr(0, 21), limits), Refusal::headers_too_large);
  // Leading empty lines count.
  limits.max_head_bytes = buf.size();
  EXPECT_EQ(refusal_of("\r\n" + buf, limits), Refusal::headers_too_large);
}

TEST(RequestParser, LimitsTheNumberOfHeaders) {
  HeadLimits limits;
  limits.max_headers = 3;  // Host and two more
  RequestHead head;
  EXPECT_EQ(parse(request("A: 1\r\nB: 2"), head, limits).status, ParseStatus::done);
  EXPECT_EQ(refusal_of(request("A: 1\r\nB: 2\r\nC: 3"), limits), Refusal::too_many_headers);
}

TEST(RequestParser, RefusesBadHeaderNames) {
  EXPECT_EQ(refusal_of(request("Foo : bar")), Refusal::bad_header_name);
  EXPECT_EQ(refusal_of(request("Foo\t: bar")), Refusal::bad_header_name);
  EXPECT_EQ(refusal_of(request(": bar")), Refusal::bad_header_name);
  EXPECT_EQ(refusal_of(request("Foo bar")), Refusal::bad_header_name);
  EXPECT_EQ(refusal_of(request("Fo@o: bar")), Refusal::bad_header_name);
  EXPECT_EQ(refusal_of(request("Fo(o): bar")), Refusal::bad_header_name);
  EXPECT_EQ(refusal_of(request("F\x80o: bar")), Refusal::bad_header_name);
}

TEST(RequestParser, RefusesControlCharactersInValues) {
  EXPECT_EQ(refusal_of(request(std::string("X: a\0b", 6))), Refusal::bad_header_value);
  EXPECT_EQ(refusal_of(request("X: a\x01")), Refusal::bad_header_value);
  EXPECT_EQ(refusal_of(request("X: a\x7f")), Refusal::bad_header_value);
  EXPECT_EQ(refusal_of(request("X: a\x1b[0m")), Refusal::bad_header_value);
  EXPECT_EQ(refusal_of(request("X: a\rb")), Refusal::bad_header_value);
  EXPECT_EQ(refusal_of(request("X: a\r")), Refusal::bad_header_value);
  EXPECT_EQ(refusal_of(request("X\r: a")), Refusal::bad_header_value);
}

TEST(RequestParser, TrimsValuesAndKeepsObsText) {
  RequestHead head;
  const std::string buf = request("A:  \t x \t y\t \r\nB:\r\nC:   \r\nD: caf\xc3\xa9");
  ASSERT_EQ(parse(buf, head).status, ParseStatus::done);
  ASSERT_EQ(head.headers.size(), 5u);
  EXPECT_EQ(head.headers[1].value, "x \t y");
  EXPECT_EQ(head.headers[2].value, "");
  EXPECT_EQ(head.headers[3].value, "");
  EXPECT_EQ(head.headers[4].value, "caf\xc3\xa9");
}

TEST(RequestParser, RefusesObsoleteLineFolding) {
  EXPECT_EQ(refusal_of(request("A: b\r\n c")), Refusal::obs_fold);
  EXPECT_EQ(refusal_of(request("A: b\r\n\tc")), Refusal::obs_fold);
  EXPECT_EQ(refusal_of("GET / HTTP/1.1\r\n Host: h\r\n\r\n"), Refusal::obs_fold);
}

TEST(RequestParser, RefusesBareLineFeeds) {
  EXPECT_EQ(refusal_of("GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n"), Refusal::bare_lf);
  EXPECT_EQ(refusal_of("GET / HTTP/1.1\r\nHost: h\r\n\n"), Refusal::bare_lf);
  EXPECT_EQ(refusal_of("GET / HTTP/1.1\r\nHost: h\r\nX: a\nb\r\n\r\n"), Refusal::bare_lf);
}

TEST(RequestParser, RequiresExactlyOneValidHostInHttp11) {
  EXPECT_EQ(refusal_of("GET / HTTP/1.1\r\nX: y\r\n\r\n"), Refusal::missing_host);
  EXPECT_EQ(refusal_of("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n"), Refusal::repeated_host);
  EXPECT_EQ(refusal_of("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"), Refusal::repeated_host);
  for (const char* bad : {"", "a b", "user@h", "h:", "h:99999", "h:-1", "[::1", "h/x", "h,i",
                          "[fe80::1%25eth0]", "h:80:80"}) {
    EXPECT_EQ(refusal_of("GET / HTTP/1.1\r\nHost: " + std::string(bad) + "\r\n\r\n"),
              Refusal::bad_host)
        << bad;
  }
  RequestHead head;
  for (const char* good :
       {"h", "lake.example", "lake.example:8080", "10.0.0.1:1", "[::1]:443", "my_host.local."}) {
    const std::string buf = "GET / HTTP/1.1\r\nHost: " + std::string(good) + "\r\n\r\n";
    ASSERT_EQ(parse(buf, head).status, ParseStatus::done) << good;
    EXPECT_EQ(head.host, good);
  }
}

TEST(RequestParser, LetsHttp10OmitHost) {
  RequestHead head;
  ASSERT_EQ(parse("GET / HTTP/1.0\r\n\r\n", head).status, ParseStatus::done);
  EXPECT_EQ(head.host, "");
  EXPECT_EQ(refusal_of("GET / HTTP/1.0\r\nHost: a b\r\n\r\n"), Refusal::bad_host);
}

TEST(RequestParser, MatchesAnAbsoluteFormTargetWithHost) {
  RequestHead head;
  ASSERT_EQ(parse("GET http://Lake.Example:81/a?b HTTP/1.1\r\nHost: lake.example:81\r\n\r\n", head)
                .status,
            ParseStatus::done);
  EXPECT_EQ(head.host, "lake.example:81");
  EXPECT_EQ(head.path, "/a");
  EXPECT_EQ(head.query, "b");
  EXPECT_EQ(head.target, "http://Lake.Example:81/a?b");

  ASSERT_EQ(parse("GET https://h HTTP/1.1\r\nHost: h\r\n\r\n", head).status, ParseStatus::done);
  EXPECT_EQ(head.path, "/");

  ASSERT_EQ(parse("GET http://h/x HTTP/1.0\r\n\r\n", head).status, ParseStatus::done);
  EXPECT_EQ(head.host, "h");

  EXPECT_EQ(refusal_of("GET http://a/ HTTP/1.1\r\nHost: b\r\n\r\n"), Refusal::target_host_mismatch);
  EXPECT_EQ(refusal_of("GET http://a/ HTTP/1.1\r\nHost: a:80\r\n\r\n"),
            Refusal::target_host_mismatch);
  EXPECT_EQ(refusal_of("GET http://a/ HTTP/1.1\r\n\r\n"), Refusal::missing_host);
}

TEST(RequestParser, ValidatesTheTarget) {
  EXPECT_EQ(refusal_of("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"), Refusal::bad_target);
  EXPECT_EQ(refusal_of("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n"), Refusal::bad_target);
  EXPECT_EQ(refusal_of("GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n"), Refusal::target_fragment);
  EXPECT_EQ(refusal_of("GET /a/../b HTTP/1.1\r\nHost: h\r\n\r\n"), Refusal::target_dot_segment);
  EXPECT_EQ(refusal_of("GET /a%2fb HTTP/1.1\r\nHost: h\r\n\r\n"), Refusal::target_encoded_char);
  EXPECT_EQ(refusal_of("GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n"), Refusal::bad_target);
  // The target is checked before the headers are read.
  EXPECT_EQ(refusal_of("GET /a/.. HTTP/1.1\r\n"), Refusal::target_dot_segment);
}

TEST(RequestParser, DerivesContentLengthFraming) {
  RequestHead head;
  ASSERT_EQ(parse(request("Content-Length: 42"), head).status, ParseStatus::done);
  EXPECT_EQ(head.framing, Framing::content_length);
  EXPECT_EQ(head.content_length, 42u);
  // Zero means no body: nothing to wait for. The header is still there to forward.
  const std::string zero = request("Content-Length: 0");
  ASSERT_EQ(parse(zero, head).status, ParseStatus::done);
  EXPECT_EQ(head.framing, Framing::none);
  EXPECT_EQ(head.content_length, 0u);
  EXPECT_EQ(head.count("content-length"), 1u);
  ASSERT_EQ(parse(request("Content-Length: 000000000000007"), head).status, ParseStatus::done);
  EXPECT_EQ(head.content_length, 7u);
}

TEST(RequestParser, RefusesBadContentLengths) {
  for (const char* bad : {"+5", "-5", "5 5", "5, 5", "5,5", "0x5", "", "1e3", "5.0",
                          "1234567890123456", "\xd9\xa5"}) {
    EXPECT_EQ(refusal_of(request("Content-Length: " + std::string(bad))),
              Refusal::bad_content_length)
        << bad;
  }
  EXPECT_EQ(refusal_of(request("Content-Length: 5\r\nContent-Length: 5")),
            Refusal::bad_content_length);
  EXPECT_EQ(refusal_of(request("Content-Length: 5\r\nContent-Length: 6")),
            Refusal::bad_content_length);
}

TEST(RequestParser, LimitsTheBody) {
  HeadLimits limits;
  limits.max_body_bytes = 100;
  RequestHead head;
  ASSERT_EQ(parse(request("Content-Length: 100"), head, limits).status, ParseStatus::done);
  EXPECT_EQ(refusal_of(request("Content-Length: 101"), limits), Refusal::body_too_large);
  limits.max_body_bytes = uint64_t{1} << 62;
  ASSERT_EQ(parse(request("Content-Length: 999999999999999"), head, limits).status,
            ParseStatus::done);
  EXPECT_EQ(head.content_length, 999999999999999u);
}

TEST(RequestParser, AcceptsOnlyChunkedTransferEncoding) {
  RequestHead head;
  ASSERT_EQ(parse(request("Transfer-Encoding: chunked"), head).status, ParseStatus::done);
  EXPECT_EQ(head.framing, Framing::chunked);
  ASSERT_EQ(parse(request("transfer-encoding:  Chunked  "), head).status, ParseStatus::done);
  EXPECT_EQ(head.framing, Framing::chunked);
  for (const char* bad : {"gzip, chunked", "chunked, chunked", "chunked,", "identity", "",
                          "chunked;q=1", "\"chunked\"", "chunk"}) {
    EXPECT_EQ(refusal_of(request("Transfer-Encoding: " + std::string(bad))),
              Refusal::unsupported_transfer_coding)
        << bad;
  }
  EXPECT_EQ(refusal_of(request("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked")),
            Refusal::unsupported_transfer_coding);
  EXPECT_EQ(refusal_of("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Refusal::unsupported_transfer_coding);
}

TEST(RequestParser, RefusesContentLengthWithTransferEncoding) {
  EXPECT_EQ(refusal_of(request("Content-Length: 5\r\nTransfer-Encoding: chunked")),
            Refusal::content_length_and_chunked);
  EXPECT_EQ(refusal_of(request("Transfer-Encoding: chunked\r\nContent-Length: 5")),
            Refusal::content_length_and_chunked);
  EXPECT_EQ(refusal_of(request("Transfer-Encoding: gzip\r\nContent-Length: 5")),
            Refusal::content_length_and_chunked);
}

TEST(RequestParser, DerivesKeepAlive) {
  RequestHead head;
  ASSERT_EQ(parse(request(""), head).status, ParseStatus::done);
  EXPECT_TRUE(head.keep_alive);
  ASSERT_EQ(parse(request("Connection: close"), head).status, ParseStatus::done);
  EXPECT_FALSE(head.keep_alive);
  ASSERT_EQ(parse(request("Connection: keep-alive\r\nConnection: foo, CLOSE"), head).status,
            ParseStatus::done);
  EXPECT_FALSE(head.keep_alive);
  ASSERT_EQ(parse("GET / HTTP/1.0\r\n\r\n", head).status, ParseStatus::done);
  EXPECT_FALSE(head.keep_alive);
  ASSERT_EQ(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", head).status,
            ParseStatus::done);
  EXPECT_TRUE(head.keep_alive);
  ASSERT_EQ(parse("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", head).status,
            ParseStatus::done);
  EXPECT_FALSE(head.keep_alive);
}

TEST(RequestParser, DerivesExpectContinue) {
  RequestHead head;
  ASSERT_EQ(parse(request("Expect: 100-Continue"), head).status, ParseStatus::done);
  EXPECT_TRUE(head.expect_continue);
  ASSERT_EQ(parse(request("Expect: something"), head).status, ParseStatus::done);
  EXPECT_FALSE(head.expect_continue);
  ASSERT_EQ(parse("GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", head).status,
            ParseStatus::done);
  EXPECT_FALSE(head.expect_continue);
}

TEST(RequestParser, DerivesUpgrade) {
  RequestHead head;
  ASSERT_EQ(parse(request("Connection: keep-alive, Upgrade\r\nUpgrade: websocket"), head).status,
            ParseStatus::done);
  EXPECT_TRUE(head.upgrade);
  ASSERT_EQ(parse(request("Connection: upgrade"), head).status, ParseStatus::done);
  EXPECT_FALSE(head.upgrade);
  ASSERT_EQ(parse(request("Upgrade: websocket"), head).status, ParseStatus::done);
  EXPECT_FALSE(head.upgrade);
  ASSERT_EQ(parse(request("Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c"), head).status,
            ParseStatus::done);
  EXPECT_FALSE(head.upgrade);
  ASSERT_EQ(
      parse("GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n", head).status,
      ParseStatus::done);
  EXPECT_FALSE(head.upgrade);
}

TEST(RequestParser, FindsHeadersCaseInsensitively) {
  RequestHead head;
  const std::string buf = request("X-A: 1\r\nx-a: 2");
  ASSERT_EQ(parse(buf, head).status, ParseStatus::done);
  ASSERT_NE(head.find("X-a"), nullptr);
  EXPECT_EQ(head.find("X-a")->value, "1");
  EXPECT_EQ(head.count("x-A"), 2u);
  EXPECT_EQ(head.find("x-b"), nullptr);
  EXPECT_EQ(head.count("x-b"), 0u);
}

}  // namespace
}  // namespace fathom::http
