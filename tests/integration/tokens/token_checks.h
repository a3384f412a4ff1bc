// Checks the "Tokens" tests share: the exact 401/403 challenges of API.md, the token format
// computed independently of the daemon (so a test can build a well-formed token nobody minted),
// and a request to the lake with a token.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "support/http_client.h"
#include "support/token_api.h"

namespace fathom::test::tokens {

inline constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// CRC-32 as zlib computes it (reflected polynomial 0xEDB88320, initial and final inversion),
// written out here so that the tests do not share the daemon's implementation.
inline uint32_t crc32_ieee(std::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// The 6 base62 checksum characters API.md defines for 32 characters of randomness.
inline std::string checksum_of(std::string_view random32) {
  uint32_t value = crc32_ieee(random32);
  std::string out(6, '0');
  for (int i = 5; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kBase62[value % 62];
    value /= 62;
  }
  return out;
}

inline bool all_base62(std::string_view s) {
  return s.find_first_not_of(kBase62) == std::string_view::npos;
}

// True if `token` has the shape and the checksum API.md gives.
inline bool well_formed_token(std::string_view token) {
  return token.size() == 42 && token.starts_with("fth_") && all_base62(token.substr(4)) &&
         checksum_of(token.substr(4, 32)) == token.substr(36);
}

// A well-formed token with a correct checksum that no daemon minted.
inline std::string unminted_token(char fill = 'Q') {
  std::string random(32, fill);
  random[0] = 'z';
  return "fth_" + random + checksum_of(random);
}

// `token` with one character of its random part replaced, so that its checksum no longer fits.
inline std::string with_flipped_char(std::string token, size_t index = 10) {
  token[index] = token[index] == 'a' ? 'b' : 'a';
  return token;
}

inline Response get_stats(uint16_t port, std::string_view token) {
  return fetch(port, "GET", "/v1/stats", bearer(token));
}

// 401 invalid_token with the exact challenge: error="invalid_token" only when a token was
// presented.
inline void expect_invalid_token(const Response& r, bool presented) {
  EXPECT_EQ(r.status, 401) << r.status_line() << "\n" << r.body;
  EXPECT_EQ(r.header_count("WWW-Authenticate"), 1u);
  EXPECT_EQ(
      r.header("WWW-Authenticate").value_or("(none)"),
      presented ? R"(Bearer realm="fathom", error="invalid_token")" : R"(Bearer realm="fathom")");
  EXPECT_EQ(r.json().value("error", ""), "invalid_token") << r.body;
  EXPECT_TRUE(r.json().contains("message")) << r.body;
}

inline void expect_insufficient_scope(const Response& r, std::string_view scope) {
  EXPECT_EQ(r.status, 403) << r.status_line() << "\n" << r.body;
  EXPECT_EQ(
      r.header("WWW-Authenticate").value_or("(none)"),
      R"(Bearer realm="fathom", error="insufficient_scope", scope=")" + std::string(scope) + "\"");
  EXPECT_EQ(r.json().value("error", ""), "insufficient_scope") << r.body;
  EXPECT_TRUE(r.json().contains("message")) << r.body;
}

// 400 invalid_request whose message names `field`, as API.md promises for a bad field.
inline void expect_bad_field(const ApiReply& r, std::string_view field) {
  EXPECT_EQ(r.status, 400) << r.describe();
  EXPECT_EQ(r.error(), "invalid_request") << r.describe();
  EXPECT_NE(r.body.value("message", "").find(field), std::string::npos)
      << "the message does not name \"" << field << "\": " << r.describe();
}

}  // namespace fathom::test::tokens
