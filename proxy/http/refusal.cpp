#include "http/refusal.h"

namespace fathom::http {

// The error codes are the closed set of API.md. An unsupported version gets 505 (RFC 9110
// section 15.6.6) so that a client can tell it from a typo, but keeps the "invalid_request" code
// as API.md has none for it. A refusal of an upstream response reaches the client as 502. The
// chunk refusals describe a request body; when the core decodes a response body with them it
// answers 502 itself.
RefusalInfo describe(Refusal r) {
  constexpr std::string_view bad = "invalid_request";
  switch (r) {
    case Refusal::none:
      return {200, "", ""};
    case Refusal::bad_request_line:
      return {400, bad,
              "The request line is malformed; send \"METHOD /path HTTP/1.1\" separated by single "
              "spaces and ended by CRLF."};
    case Refusal::bad_method:
      return {400, bad, "The method contains characters that are not allowed in a token."};
    case Refusal::not_http:
      return {400, bad,
              "This port speaks plain HTTP/1.1, and the bytes received cannot start an HTTP "
              "request (a TLS client on a plain port?); send a request line such as \"GET / "
              "HTTP/1.1\"."};
    case Refusal::unsupported_version:
      return {505, bad, "Only HTTP/1.0 and HTTP/1.1 are supported; send HTTP/1.1."};
    case Refusal::request_line_too_long:
      return {414, "uri_too_long", "The request line is too long; shorten the path or query."};
    case Refusal::bad_target:
      return {400, bad,
              "The request target is malformed; send an absolute path (\"/path?query\") using "
              "only URI characters and well-formed percent-escapes."};
    case Refusal::target_dot_segment:
      return {400, bad, "The path contains a \".\" or \"..\" segment; send the resolved path."};
    case Refusal::target_encoded_char:
      return {400, bad,
              "The path contains a backslash or an encoded '.', '/', '\\' or NUL; send the "
              "path without them."};
    case Refusal::target_empty_segment:
      return {400, bad,
              "The path contains an empty segment (\"//\"); send it with single slashes."};
    case Refusal::target_trailing_dot:
      return {400, bad,
              "A path segment ends in '.', which some servers trim; send the path without it."};
    case Refusal::target_semicolon:
      return {400, bad,
              "The path contains ';', which some servers cut off as a parameter; encode it as "
              "%3B or leave it out."};
    case Refusal::target_fragment:
      return {400, bad, "The request target contains a fragment ('#'); remove it."};
    case Refusal::target_host_mismatch:
      return {400, bad,
              "The authority in the absolute-form target differs from the Host header; make "
              "them equal."};
    case Refusal::headers_too_large:
      return {431, "headers_too_large",
              "The request headers are too large; send fewer or "
              "shorter headers."};
    case Refusal::too_many_headers:
      return {431, "headers_too_large", "The request has too many header fields; send fewer."};
    case Refusal::bad_header_name:
      return {400, bad, "A header line has an invalid name; use a token directly followed by ':'."};
    case Refusal::bad_header_value:
      return {400, bad, "A header value contains a control character or a stray CR; remove it."};
    case Refusal::obs_fold:
      return {400, bad,
              "A header line starts with whitespace (obsolete line folding); put each header on "
              "one line."};
    case Refusal::bare_lf:
      return {400, bad, "A line ends in a bare LF; end every line with CRLF."};
    case Refusal::missing_host:
      return {400, bad, "The request has no Host header; HTTP/1.1 requires one."};
    case Refusal::repeated_host:
      return {400, bad, "The request has more than one Host header; send exactly one."};
    case Refusal::bad_host:
      return {400, bad, "The Host header is not a valid \"host[:port]\"; fix its value."};
    case Refusal::content_length_and_chunked:
      return {400, bad,
              "The request has both Content-Length and Transfer-Encoding; send only one."};
    case Refusal::bad_content_length:
      return {400, bad,
              "The Content-Length header is invalid or repeated; send a single decimal length."};
    case Refusal::unsupported_transfer_coding:
      return {400, bad,
              "Only \"Transfer-Encoding: chunked\", in one header of an HTTP/1.1 request, is "
              "supported; send that or a Content-Length."};
    case Refusal::body_too_large:
      return {413, "payload_too_large", "The request body is too large; send a smaller body."};
    case Refusal::bad_chunk_size:
      return {400, bad, "A chunk size is not a hexadecimal number of at most 16 digits."};
    case Refusal::bad_chunk_framing:
      return {400, bad,
              "The chunked body is malformed; end each chunk with CRLF and check extensions and "
              "trailers."};
    case Refusal::chunk_line_too_long:
      return {400, bad,
              "A chunk size line or trailer line is too long; send shorter chunk extensions or "
              "trailers."};
    case Refusal::bad_status_line:
      return {502, "upstream_unavailable", "The upstream sent a malformed response."};
    case Refusal::bad_response_framing:
      return {502, "upstream_unavailable",
              "The upstream sent a response with ambiguous or unsupported body framing."};
  }
  return {400, bad, "The request is malformed."};
}

std::string_view name(Refusal r) {
  switch (r) {
    case Refusal::none:
      return "none";
    case Refusal::bad_request_line:
      return "bad_request_line";
    case Refusal::bad_method:
      return "bad_method";
    case Refusal::not_http:
      return "not_http";
    case Refusal::unsupported_version:
      return "unsupported_version";
    case Refusal::request_line_too_long:
      return "request_line_too_long";
    case Refusal::bad_target:
      return "bad_target";
    case Refusal::target_dot_segment:
      return "target_dot_segment";
    case Refusal::target_encoded_char:
      return "target_encoded_char";
    case Refusal::target_empty_segment:
      return "target_empty_segment";
    case Refusal::target_trailing_dot:
      return "target_trailing_dot";
    case Refusal::target_semicolon:
      return "target_semicolon";
    case Refusal::target_fragment:
      return "target_fragment";
    case Refusal::target_host_mismatch:
      return "target_host_mismatch";
    case Refusal::headers_too_large:
      return "headers_too_large";
    case Refusal::too_many_headers:
      return "too_many_headers";
    case Refusal::bad_header_name:
      return "bad_header_name";
    case Refusal::bad_header_value:
      return "bad_header_value";
    case Refusal::obs_fold:
      return "obs_fold";
    case Refusal::bare_lf:
      return "bare_lf";
    case Refusal::missing_host:
      return "missing_host";
    case Refusal::repeated_host:
      return "repeated_host";
    case Refusal::bad_host:
      return "bad_host";
    case Refusal::content_length_and_chunked:
      return "content_length_and_chunked";
    case Refusal::bad_content_length:
      return "bad_content_length";
    case Refusal::unsupported_transfer_coding:
      return "unsupported_transfer_coding";
    case Refusal::body_too_large:
      return "body_too_large";
    case Refusal::bad_chunk_size:
      return "bad_chunk_size";
    case Refusal::bad_chunk_framing:
      return "bad_chunk_framing";
    case Refusal::chunk_line_too_long:
      return "chunk_line_too_long";
    case Refusal::bad_status_line:
      return "bad_status_line";
    case Refusal::bad_response_framing:
      return "bad_response_framing";
  }
  return "unknown";
}

}  // namespace fathom::http
