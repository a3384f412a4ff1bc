// HTTP/1.1 message heads as the parsers produce them.
//
// Every string_view points into the caller's buffer: a parsed head is only valid while the bytes
// it was parsed from are. The parsers allocate nothing beyond growing `headers`, whose capacity a
// connection keeps from one request to the next.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace fathom::http {

struct Header {
  std::string_view name;
  std::string_view value;  // without leading and trailing whitespace
};

enum class Version : uint8_t { http10, http11 };

// How the body of a message is delimited (RFC 9112 section 6).
enum class Framing : uint8_t {
  none,            // no body at all (also "Content-Length: 0", the header stays in `headers`)
  content_length,  // exactly `content_length` bytes
  chunked,         // Transfer-Encoding: chunked
  until_close,     // responses only: the body ends when the upstream closes
};

struct RequestHead {
  std::string_view method;
  std::string_view target;  // as sent
  std::string_view path;    // origin-form path, validated (see target.h), without the query
  std::string_view query;   // after '?', without it; empty if none
  std::string_view host;    // the Host header (or the authority of an absolute-form target)
  Version version = Version::http11;
  std::vector<Header> headers;

  Framing framing = Framing::none;
  uint64_t content_length = 0;
  bool keep_alive = true;        // after this request, from version and Connection
  bool expect_continue = false;  // Expect: 100-continue
  bool upgrade = false;          // Connection: upgrade + Upgrade header present (not h2c)

  // First header with that name (case-insensitive), or nullptr.
  const Header* find(std::string_view name) const;
  // How many headers have that name (case-insensitive).
  size_t count(std::string_view name) const;
};

struct ResponseHead {
  Version version = Version::http11;
  int status = 0;
  std::string_view reason;
  std::vector<Header> headers;

  Framing framing = Framing::none;
  uint64_t content_length = 0;
  bool keep_alive = true;  // the upstream connection may be reused after this response

  const Header* find(std::string_view name) const;
  size_t count(std::string_view name) const;
};

// ASCII case-insensitive comparison, as header names and the Bearer scheme need.
bool iequals(std::string_view a, std::string_view b);

// True if the comma-separated list `value` (a Connection or Transfer-Encoding value) holds
// `token`, compared case-insensitively, ignoring optional whitespace around elements.
bool list_contains(std::string_view value, std::string_view token);

}  // namespace fathom::http
