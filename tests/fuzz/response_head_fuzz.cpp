// Feeds arbitrary bytes to the response head parser, as the answer to a GET and to a HEAD, and
// traps on any broken invariant, not only on crashes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/parser.h"

namespace {

using namespace fathom::http;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool inside(std::string_view v, std::string_view buf) {
  return v.data() >= buf.data() && v.data() + v.size() <= buf.data() + buf.size();
}

ParseResult run(std::string_view buf, const HeadLimits& limits, std::string_view method,
                ResponseHead& h) {
  const ParseResult r = parse_response_head(buf, limits, method, h);
  check(r.consumed <= buf.size());
  check((r.status == ParseStatus::refused) == (r.refusal != Refusal::none));
  if (r.status != ParseStatus::done) {
    check(r.consumed == 0);
    // A refusal never depends on where the input was cut.
    if (r.status == ParseStatus::refused && !buf.empty()) {
      ResponseHead shorter;
      const ParseResult s =
          parse_response_head(buf.substr(0, buf.size() - 1), limits, method, shorter);
      check(s.status == ParseStatus::need_more || s.refusal == r.refusal);
    }
    return r;
  }
  const std::string_view head_bytes = buf.substr(0, r.consumed);
  check(head_bytes.size() >= 4 && head_bytes.substr(head_bytes.size() - 4) == "\r\n\r\n");
  check(head_bytes.size() <= limits.max_head_bytes);
  check(h.status >= 100 && h.status <= 599);
  check(inside(h.reason, head_bytes) || h.reason.empty());
  check(h.headers.size() <= limits.max_headers);
  for (const Header& f : h.headers) {
    check(inside(f.name, head_bytes) && !f.name.empty());
    check(inside(f.value, head_bytes) || f.value.empty());
  }
  const bool no_body = method == "HEAD" || h.status < 200 || h.status == 204 || h.status == 304;
  if (no_body) check(h.framing == Framing::none);
  if (h.framing == Framing::content_length) check(h.content_length > 0);
  if (h.framing == Framing::chunked) check(h.version == Version::http11);
  if (h.framing == Framing::until_close) check(!h.keep_alive);

  ResponseHead again;
  const ParseResult exact = parse_response_head(head_bytes, limits, method, again);
  check(exact.status == ParseStatus::done && exact.consumed == r.consumed);
  for (size_t cut : {r.consumed - 1, r.consumed / 2}) {
    check(parse_response_head(buf.substr(0, cut), limits, method, again).status ==
          ParseStatus::need_more);
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view buf(reinterpret_cast<const char*>(data), size);
  static ResponseHead head;
  HeadLimits limits;
  const ParseResult get = run(buf, limits, "GET", head);
  const ParseResult head_request = run(buf, limits, "HEAD", head);
  // The request method only decides whether a body follows, never where the head ends.
  check(get.status == head_request.status && get.consumed == head_request.consumed &&
        get.refusal == head_request.refusal);

  limits.max_request_line = 32;
  limits.max_head_bytes = 128;
  limits.max_headers = 3;
  const ParseResult tight = run(buf, limits, "GET", head);
  if (tight.status == ParseStatus::done) check(get.status == ParseStatus::done);
  return 0;
}
