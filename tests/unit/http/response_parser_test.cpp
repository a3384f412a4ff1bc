#include <gtest/gtest.h>

#include <string>

#include "http/parser.h"

namespace fathom::http {
namespace {

ParseResult parse(std::string_view in, ResponseHead& head, std::string_view method = "GET",
                  const HeadLimits& limits = {}) {
  return parse_response_head(in, limits, method, head);
}

Refusal refusal_of(std::string_view in, std::string_view method = "GET") {
  ResponseHead head;
  const ParseResult r = parse(in, head, method);
  EXPECT_EQ(r.status, ParseStatus::refused) << in;
  return r.refusal;
}

std::string response(std::string_view lines, std::string_view status_line = "HTTP/1.1 200 OK") {
  std::string s(status_line);
  s += "\r\n";
  if (!lines.empty()) s.append(lines).append("\r\n");
  s += "\r\n";
  return s;
}

TEST(ResponseParser, ParsesAResponseWithContentLength) {
  const std::string buf = response("Content-Type: text/plain\r\nContent-Length: 5") + "hello";
  ResponseHead head;
  const ParseResult r = parse(buf, head);
  ASSERT_EQ(r.status, ParseStatus::done);
  EXPECT_EQ(r.consumed, buf.size() - 5);
  EXPECT_EQ(head.version, Version::http11);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.reason, "OK");
  ASSERT_EQ(head.headers.size(), 2u);
  EXPECT_EQ(head.find("content-type")->value, "text/plain");
  EXPECT_EQ(head.count("CONTENT-LENGTH"), 1u);
  EXPECT_EQ(head.framing, Framing::content_length);
  EXPECT_EQ(head.content_length, 5u);
  EXPECT_TRUE(head.keep_alive);
}

TEST(ResponseParser, NeedsMoreUntilTheBlankLineArrivesByteByByte) {
  const std::string buf = response("Content-Length: 0");
  ResponseHead head;
  for (size_t n = 0; n < buf.size(); ++n) {
    ASSERT_EQ(parse(std::string_view(buf).substr(0, n), head).status, ParseStatus::need_more) << n;
  }
  EXPECT_EQ(parse(buf, head).status, ParseStatus::done);
}

TEST(ResponseParser, AcceptsAnEmptyOrMissingReason) {
  ResponseHead head;
  ASSERT_EQ(parse(response("Content-Length: 0", "HTTP/1.1 404 "), head).status, ParseStatus::done);
  EXPECT_EQ(head.status, 404);
  EXPECT_EQ(head.reason, "");
  ASSERT_EQ(parse(response("Content-Length: 0", "HTTP/1.1 404"), head).status, ParseStatus::done);
  EXPECT_EQ(head.reason, "");
  const std::string buf = response("Content-Length: 0", "HTTP/1.0 418 I'm a\tteapot \xff");
  ASSERT_EQ(parse(buf, head).status, ParseStatus::done);
  EXPECT_EQ(head.version, Version::http10);
  EXPECT_EQ(head.reason, "I'm a\tteapot \xff");
}

TEST(ResponseParser, RefusesMalformedStatusLines) {
  for (const char* bad :
       {"HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 2x0 OK", "HTTP/1.1  200 OK",
        "HTTP/1.1 200\tOK", "HTTP/1.1 099 Low", "HTTP/1.1 600 High", "HTTP/2.0 200 OK",
        "HTTP/1.2 200 OK", "http/1.1 200 OK", "HTTP/1.1", "HTTP/1.1 200 O\x01K",
        "HTTP/1.1 200 O\rK", "", "ICY 200 OK"}) {
    EXPECT_EQ(refusal_of(response("Content-Length: 0", bad)), Refusal::bad_status_line) << bad;
  }
  EXPECT_EQ(refusal_of("HTTP/1.1 200 OK\n\r\n"), Refusal::bare_lf);
}

TEST(ResponseParser, AppliesTheHeaderRules) {
  EXPECT_EQ(refusal_of(response("A: b\r\n c")), Refusal::obs_fold);
  EXPECT_EQ(refusal_of(response("A : b")), Refusal::bad_header_name);
  EXPECT_EQ(refusal_of(response("A: \x7f")), Refusal::bad_header_value);
  EXPECT_EQ(refusal_of("HTTP/1.1 200 OK\r\nA: b\n\r\n"), Refusal::bare_lf);
}

TEST(ResponseParser, AppliesTheLimits) {
  const std::string buf = response("A: 1\r\nB: 2\r\nContent-Length: 0");
  ResponseHead head;
  HeadLimits limits;
  limits.max_head_bytes = buf.size();
  EXPECT_EQ(parse(buf, head, "GET", limits).status, ParseStatus::done);
  limits.max_head_bytes = buf.size() - 1;
  ParseResult r = parse(buf, head, "GET", limits);
  EXPECT_EQ(r.status, ParseStatus::refused);
  EXPECT_EQ(r.refusal, Refusal::headers_too_large);

  limits = HeadLimits{};
  limits.max_headers = 3;
  EXPECT_EQ(parse(buf, head, "GET", limits).status, ParseStatus::done);
  limits.max_headers = 2;
  r = parse(buf, head, "GET", limits);
  EXPECT_EQ(r.refusal, Refusal::too_many_headers);

  limits = HeadLimits{};
  limits.max_request_line = 10;  // bounds the status line too
  r = parse(buf, head, "GET", limits);
  EXPECT_EQ(r.refusal, Refusal::headers_too_large);
}

TEST(ResponseParser, HasNoBodyForHeadAnd1xx204And304) {
  ResponseHead head;
  ASSERT_EQ(parse(response("Content-Length: 10"), head, "HEAD").status, ParseStatus::done);
  EXPECT_EQ(head.framing, Framing::none);
  EXPECT_TRUE(head.keep_alive);
  ASSERT_EQ(parse(response("Transfer-Encoding: chunked"), head, "HEAD").status, ParseStatus::done);
  EXPECT_EQ(head.framing, Framing::none);
  for (const char* line : {"HTTP/1.1 100 Continue", "HTTP/1.1 101 Switching Protocols",
                           "HTTP/1.1 204 No Content", "HTTP/1.1 304 Not Modified"}) {
    ASSERT_EQ(parse(response("Content-Length: 10", line), head).status, ParseStatus::done) << line;
    EXPECT_EQ(head.framing, Framing::none) << line;
    ASSERT_EQ(parse(response("", line), head).status, ParseStatus::done) << line;
    EXPECT_EQ(head.framing, Framing::none) << line;
    EXPECT_TRUE(head.keep_alive) << line;
  }
}

TEST(ResponseParser, DerivesChunkedFraming) {
  ResponseHead head;
  ASSERT_EQ(parse(response("Transfer-Encoding: Chunked"), head).status, ParseStatus::done);
  EXPECT_EQ(head.framing, Framing::chunked);
  EXPECT_TRUE(head.keep_alive);
  for (const char* bad : {"gzip, chunked", "chunked, gzip", "chunked, chunked", "gzip", ""}) {
    EXPECT_EQ(refusal_of(response("Transfer-Encoding: " + std::string(bad))),
              Refusal::bad_response_framing)
        << bad;
  }
  EXPECT_EQ(refusal_of(response("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked")),
            Refusal::bad_response_framing);
  EXPECT_EQ(refusal_of(response("Transfer-Encoding: chunked", "HTTP/1.0 200 OK")),
            Refusal::bad_response_framing);
  EXPECT_EQ(refusal_of(response("Transfer-Encoding: chunked\r\nContent-Length: 3")),
            Refusal::bad_response_framing);
  EXPECT_EQ(refusal_of(response("Content-Length: 3\r\nTransfer-Encoding: chunked"), "HEAD"),
            Refusal::bad_response_framing);
}

TEST(ResponseParser, ChecksContentLength) {
  ResponseHead head;
  ASSERT_EQ(parse(response("Content-Length: 7\r\ncontent-length: 7"), head).status,
            ParseStatus::done);
  EXPECT_EQ(head.framing, Framing::content_length);
  EXPECT_EQ(head.content_length, 7u);
  ASSERT_EQ(parse(response("Content-Length: 0"), head).status, ParseStatus::done);
  EXPECT_EQ(head.framing, Framing::none);
  EXPECT_TRUE(head.keep_alive);
  // Responses are streamed: max_body_bytes limits request bodies only.
  HeadLimits limits;
  limits.max_body_bytes = 1;
  ASSERT_EQ(parse(response("Content-Length: 999999999999999"), head, "GET", limits).status,
            ParseStatus::done);
  EXPECT_EQ(head.content_length, 999999999999999u);
  for (const char* bad : {"7\r\nContent-Length: 8", "7\r\nContent-Length: 07", "7, 7", "-1", "",
                          "1234567890123456", "abc"}) {
    EXPECT_EQ(refusal_of(response("Content-Length: " + std::string(bad))),
              Refusal::bad_response_framing)
        << bad;
  }
}

TEST(ResponseParser, ReadsUntilCloseWithoutFraming) {
  ResponseHead head;
  ASSERT_EQ(parse(response("Connection: keep-alive"), head).status, ParseStatus::done);
  EXPECT_EQ(head.framing, Framing::until_close);
  EXPECT_FALSE(head.keep_alive);
}

TEST(ResponseParser, DerivesKeepAlive) {
  ResponseHead head;
  ASSERT_EQ(parse(response("Content-Length: 0\r\nConnection: close"), head).status,
            ParseStatus::done);
  EXPECT_FALSE(head.keep_alive);
  ASSERT_EQ(parse(response("Content-Length: 1", "HTTP/1.0 200 OK"), head).status,
            ParseStatus::done);
  EXPECT_FALSE(head.keep_alive);
  ASSERT_EQ(parse(response("Content-Length: 1\r\nConnection: Keep-Alive", "HTTP/1.0 200 OK"), head)
                .status,
            ParseStatus::done);
  EXPECT_TRUE(head.keep_alive);
}

TEST(ResponseParser, StopsAtTheBlankLine) {
  const std::string first = response("Content-Length: 0", "HTTP/1.1 100 Continue");
  const std::string second = response("Content-Length: 2");
  const std::string buf = first + second + "ok";
  ResponseHead head;
  ParseResult r = parse(buf, head);
  ASSERT_EQ(r.status, ParseStatus::done);
  EXPECT_EQ(r.consumed, first.size());
  EXPECT_EQ(head.status, 100);
  r = parse(std::string_view(buf).substr(r.consumed), head);
  ASSERT_EQ(r.status, ParseStatus::done);
  EXPECT_EQ(r.consumed, second.size());
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers.size(), 1u);
}

TEST(ResponseParser, RefusesLeadingEmptyLines) {
  EXPECT_EQ(refusal_of("\r\n" + response("Content-Length: 0")), Refusal::bad_status_line);
}

}  // namespace
}  // namespace fathom::http
