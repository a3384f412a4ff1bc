// Every reason the HTTP layer refuses a message, one value each, so that logs and metrics can
// count them and tests can assert on the exact reason rather than on a status code alone.
#pragma once

#include <cstdint>
#include <string_view>

namespace fathom::http {

enum class Refusal : uint8_t {
  none = 0,
  // request line
  bad_request_line,       // not "METHOD SP target SP HTTP/x.y CRLF"
  bad_method,             // method is not a token
  not_http,               // the first byte cannot start a request line (TLS, SSH, binary)
  unsupported_version,    // not HTTP/1.0 or HTTP/1.1
  request_line_too_long,  // 414
  // target
  bad_target,            // not origin-form or absolute-form, or bad characters
  target_dot_segment,    // "." or ".." path segment
  target_encoded_char,   // %2e %2f %5c %00 (any case) or a backslash
  target_empty_segment,  // "//" inside the path
  target_trailing_dot,   // a segment ending in '.' ("internal.")
  target_semicolon,      // ';' in the path (matrix parameters)
  target_fragment,       // '#' in the target
  target_host_mismatch,  // absolute-form authority differs from Host
  // headers
  headers_too_large,  // 431: more than the byte limit
  too_many_headers,   // 431: more than the field count limit
  bad_header_name,    // empty, or not a token (includes whitespace before the colon)
  bad_header_value,   // control characters, bare CR or LF
  obs_fold,           // a line starting with SP/HTAB (obsolete line folding)
  bare_lf,            // LF not preceded by CR
  missing_host,       // HTTP/1.1 without Host
  repeated_host,      // more than one Host
  bad_host,           // Host value is not a valid authority
  // framing
  content_length_and_chunked,   // both Content-Length and Transfer-Encoding
  bad_content_length,           // not all digits, too large, or repeated
  unsupported_transfer_coding,  // Transfer-Encoding other than exactly "chunked"
  body_too_large,               // 413
  bad_chunk_size,               // not hex, too many digits, or overflow
  bad_chunk_framing,            // missing CRLF after data, bad extension or trailer syntax
  chunk_line_too_long,
  // responses from the upstream
  bad_status_line,
  bad_response_framing,
};

struct RefusalInfo {
  int status;                // HTTP status the client gets
  std::string_view error;    // the JSON "error" code
  std::string_view message;  // one sentence a person can act on
};

RefusalInfo describe(Refusal r);
std::string_view name(Refusal r);  // stable snake_case name for logs and metrics

}  // namespace fathom::http
