#include "http/serialize.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "http/parser.h"

namespace fathom::http {
namespace {

TEST(Serialize, KnowsTheHopByHopFields) {
  for (const char* name : {"Connection", "keep-alive", "PROXY-CONNECTION", "te", "Trailer",
                           "Transfer-Encoding", "upgrade"}) {
    EXPECT_TRUE(is_hop_by_hop(name)) << name;
  }
  for (const char* name : {"Host", "Content-Length", "Proxy-Authenticate", "Trailers", "T",
                           "Authorization", "X-Connection", ""}) {
    EXPECT_FALSE(is_hop_by_hop(name)) << name;
  }
}

TEST(Serialize, FindsNamesListedInConnection) {
  RequestHead head;
  const std::string buf =
      "GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, X-Secret\r\nconnection: x-other\r\n"
      "\r\n";
  ASSERT_EQ(parse_request_head(buf, HeadLimits{}, head).status, ParseStatus::done);
  EXPECT_TRUE(is_listed_in_connection(head, "x-secret"));
  EXPECT_TRUE(is_listed_in_connection(head, "X-Other"));
  EXPECT_TRUE(is_listed_in_connection(head, "Keep-Alive"));
  EXPECT_FALSE(is_listed_in_connection(head, "Host"));
  EXPECT_FALSE(is_listed_in_connection(head, "X"));
}

TEST(Serialize, AppendsHeaders) {
  std::string out = "HTTP/1.1 200 OK\r\n";
  append_header(out, "Content-Length", "5");
  append_header(out, "X-Empty", "");
  EXPECT_EQ(out, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Empty: \r\n");
}

TEST(Serialize, AppendsChunkSizesInLowercaseHex) {
  const auto chunk = [](uint64_t n) {
    std::string out = "x";
    append_chunk_size(out, n);
    return out;
  };
  EXPECT_EQ(chunk(0), "x0\r\n");
  EXPECT_EQ(chunk(9), "x9\r\n");
  EXPECT_EQ(chunk(10), "xa\r\n");
  EXPECT_EQ(chunk(255), "xff\r\n");
  EXPECT_EQ(chunk(4096), "x1000\r\n");
  EXPECT_EQ(chunk(0xdeadbeefcafeULL), "xdeadbeefcafe\r\n");
  EXPECT_EQ(chunk(UINT64_MAX), "xffffffffffffffff\r\n");
}

TEST(Serialize, NamesCommonStatuses) {
  EXPECT_EQ(reason_phrase(200), "OK");
  EXPECT_EQ(reason_phrase(101), "Switching Protocols");
  EXPECT_EQ(reason_phrase(401), "Unauthorized");
  EXPECT_EQ(reason_phrase(403), "Forbidden");
  EXPECT_EQ(reason_phrase(413), "Content Too Large");
  EXPECT_EQ(reason_phrase(414), "URI Too Long");
  EXPECT_EQ(reason_phrase(429), "Too Many Requests");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(reason_phrase(502), "Bad Gateway");
  EXPECT_EQ(reason_phrase(505), "HTTP Version Not Supported");
  EXPECT_EQ(reason_phrase(299), "");
}

}  // namespace
}  // namespace fathom::http
