#include "http/refusal.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace fathom::http {
namespace {

constexpr auto kLast = Refusal::bad_response_framing;

TEST(Refusal, NamesEveryValueUniquely) {
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(kLast); ++i) {
    const std::string_view n = name(static_cast<Refusal>(i));
    EXPECT_FALSE(n.empty()) << i;
    EXPECT_NE(n, "unknown") << i;
    EXPECT_TRUE(names.insert(n).second) << n;
  }
  EXPECT_EQ(name(Refusal::content_length_and_chunked), "content_length_and_chunked");
}

TEST(Refusal, DescribesEveryValueWithAnActionableSentence) {
  for (int i = 1; i <= static_cast<int>(kLast); ++i) {
    const RefusalInfo info = describe(static_cast<Refusal>(i));
    EXPECT_GE(info.status, 400) << i;
    EXPECT_FALSE(info.error.empty()) << i;
    EXPECT_GT(info.message.size(), 20u) << i;
    EXPECT_EQ(info.message.back(), '.') << i;
  }
}

TEST(Refusal, MapsLimitsToTheirStatuses) {
  EXPECT_EQ(describe(Refusal::request_line_too_long).status, 414);
  EXPECT_EQ(describe(Refusal::request_line_too_long).error, "uri_too_long");
  EXPECT_EQ(describe(Refusal::headers_too_large).status, 431);
  EXPECT_EQ(describe(Refusal::too_many_headers).status, 431);
  EXPECT_EQ(describe(Refusal::too_many_headers).error, "headers_too_large");
  EXPECT_EQ(describe(Refusal::body_too_large).status, 413);
  EXPECT_EQ(describe(Refusal::body_too_large).error, "payload_too_large");
  EXPECT_EQ(describe(Refusal::unsupported_version).status, 505);
  EXPECT_EQ(describe(Refusal::bad_status_line).status, 502);
  EXPECT_EQ(describe(Refusal::bad_response_framing).error, "upstream_unavailable");
}

TEST(Refusal, MapsMalformedRequestsTo400) {
  for (Refusal r : {Refusal::bad_request_line,   Refusal::bad_method,
                    Refusal::not_http,           Refusal::bad_target,
                    Refusal::target_dot_segment, Refusal::target_encoded_char,
                    Refusal::target_fragment,    Refusal::target_host_mismatch,
                    Refusal::bad_header_name,    Refusal::bad_header_value,
                    Refusal::obs_fold,           Refusal::bare_lf,
                    Refusal::missing_host,       Refusal::repeated_host,
                    Refusal::bad_host,           Refusal::content_length_and_chunked,
                    Refusal::bad_content_length, Refusal::unsupported_transfer_coding,
                    Refusal::bad_chunk_size,     Refusal::bad_chunk_framing,
                    Refusal::chunk_line_too_long}) {
    EXPECT_EQ(describe(r).status, 400) << name(r);
    EXPECT_EQ(describe(r).error, "invalid_request") << name(r);
  }
  EXPECT_EQ(describe(Refusal::content_length_and_chunked).message,
            "The request has both Content-Length and Transfer-Encoding; send only one.");
}

}  // namespace
}  // namespace fathom::http
