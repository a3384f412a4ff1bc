// Stateless HTTP/1.1 head parsers (RFC 9112), in the manner of picohttpparser: bytes in, a parsed
// head and the number of bytes consumed out. The caller keeps the bytes alive while it uses the
// head. Strict by design: anything ambiguous is refused, never guessed, so that this proxy, its
// scope policies and the upstream all read the same message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/message.h"
#include "http/refusal.h"

namespace fathom::http {

struct HeadLimits {
  size_t max_request_line = 8 * 1024;           // request line, and so the target (414)
  size_t max_head_bytes = 32 * 1024;            // the whole head, request line included (431)
  size_t max_headers = 100;                     // header fields (431)
  uint64_t max_body_bytes = uint64_t{1} << 30;  // request Content-Length above it: 413
};

enum class ParseStatus : uint8_t { done, need_more, refused };

struct ParseResult {
  ParseStatus status = ParseStatus::need_more;
  size_t consumed = 0;              // with `done`: bytes of the head, blank line included
  Refusal refusal = Refusal::none;  // with `refused`
};

// Parses a request head from the start of `buf`.
// - done: `out` is filled (target validated, framing derived) and `consumed` bytes form the head.
// - need_more: the head is incomplete and within the limits so far; call again with more bytes.
// - refused: the head is malformed or over a limit, `refusal` says why. Refusals for limits are
//   reported as soon as the limit is exceeded, without waiting for the rest of the head.
// Leading empty lines before the request line are tolerated (RFC 9112 section 2.2). Bytes that
// cannot start a request line (a first byte that is not a token character, a method followed by
// anything but SP) are refused as soon as they arrive, not at the end of the line.
ParseResult parse_request_head(std::string_view buf, const HeadLimits& limits, RequestHead& out);

// Parses a response head (from the upstream) from the start of `buf`. `request_method` decides
// whether the response has a body (HEAD, and 1xx/204/304 responses have none).
ParseResult parse_response_head(std::string_view buf, const HeadLimits& limits,
                                std::string_view request_method, ResponseHead& out);

}  // namespace fathom::http
