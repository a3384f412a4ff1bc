// Feeds arbitrary bytes to the request head parser, with the default limits and with tight ones,
// and traps on any broken invariant, not only on crashes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/parser.h"
#include "http/target.h"

namespace {

using namespace fathom::http;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool inside(std::string_view v, std::string_view buf) {
  return v.data() >= buf.data() && v.data() + v.size() <= buf.data() + buf.size();
}

void check_done(std::string_view head_bytes, const HeadLimits& limits, const RequestHead& h) {
  check(head_bytes.size() >= 4 && head_bytes.substr(head_bytes.size() - 4) == "\r\n\r\n");
  check(head_bytes.size() <= limits.max_head_bytes);
  check(inside(h.method, head_bytes) && !h.method.empty());
  check(inside(h.target, head_bytes) && !h.target.empty());
  check(h.target.size() <= limits.max_request_line);
  check(inside(h.path, head_bytes) || h.path == "/");  // absolute-form without a path
  check(!h.path.empty() && h.path[0] == '/');
  check(inside(h.query, head_bytes) || h.query.empty());
  check(inside(h.host, head_bytes) || h.host.empty());
  Target t;
  check(parse_target(h.target, t) == Refusal::none);
  check(t.path == h.path && t.query == h.query);
  if (h.version == Version::http11) check(valid_authority(h.host));
  check(h.headers.size() <= limits.max_headers);
  for (const Header& f : h.headers) {
    check(inside(f.name, head_bytes) && !f.name.empty());
    check(inside(f.value, head_bytes) || f.value.empty());
  }
  switch (h.framing) {
    case Framing::none:
      check(h.content_length == 0);
      break;
    case Framing::content_length:
      check(h.content_length > 0 && h.content_length <= limits.max_body_bytes);
      check(h.count("transfer-encoding") == 0);
      break;
    case Framing::chunked:
      check(h.version == Version::http11 && h.count("content-length") == 0);
      break;
    case Framing::until_close:
      check(false);
  }
  if (h.upgrade || h.expect_continue) check(h.version == Version::http11);
}

ParseResult run(std::string_view buf, const HeadLimits& limits, RequestHead& head) {
  const ParseResult r = parse_request_head(buf, limits, head);
  check(r.consumed <= buf.size());
  check((r.status == ParseStatus::refused) == (r.refusal != Refusal::none));
  if (r.status != ParseStatus::done) {
    check(r.consumed == 0);
    // A refusal never depends on where the input was cut: one byte less is not enough to read
    // the offending line, or gives the same verdict.
    if (r.status == ParseStatus::refused && !buf.empty()) {
      RequestHead shorter;
      const ParseResult s = parse_request_head(buf.substr(0, buf.size() - 1), limits, shorter);
      check(s.status == ParseStatus::need_more || s.refusal == r.refusal);
    }
    return r;
  }
  check_done(buf.substr(0, r.consumed), limits, head);
  // The verdict depends on the head alone: not on what follows it, and not before its end.
  RequestHead again;
  const ParseResult exact = parse_request_head(buf.substr(0, r.consumed), limits, again);
  check(exact.status == ParseStatus::done && exact.consumed == r.consumed);
  for (size_t cut : {r.consumed - 1, r.consumed / 2, size_t{1}}) {
    check(parse_request_head(buf.substr(0, cut), limits, again).status == ParseStatus::need_more);
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view buf(reinterpret_cast<const char*>(data), size);
  static RequestHead head;  // reused, as a connection reuses it

  const HeadLimits wide;
  const ParseResult a = run(buf, wide, head);

  HeadLimits tight;
  tight.max_request_line = 64;
  tight.max_head_bytes = 256;
  tight.max_headers = 4;
  tight.max_body_bytes = 1000;
  const ParseResult b = run(buf, tight, head);
  // Tighter limits can only refuse more, never accept something else.
  if (b.status == ParseStatus::done)
    check(a.status == ParseStatus::done && a.consumed == b.consumed);
  if (a.status == ParseStatus::refused && b.status != ParseStatus::refused) check(false);
  return 0;
}
