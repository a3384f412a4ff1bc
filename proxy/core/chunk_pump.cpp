#include "core/chunk_pump.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

namespace fathom {

http::ChunkedDecoder::Step chunk_step(http::ChunkedDecoder& dec, evbuffer* in, evbuffer* out,
                                      bool rechunk) {
  evbuffer_iovec v;
  if (evbuffer_peek(in, -1, nullptr, &v, 1) < 1) return {};
  std::string_view front(static_cast<const char*>(v.iov_base), v.iov_len);
  http::ChunkedDecoder::Step step = dec.next(front);
  if (step.kind == http::ChunkedDecoder::Kind::need_more) {
    size_t total = evbuffer_get_length(in);
    if (front.size() < total) {
      // The line straddles evbuffer chains: join a bounded prefix and look again.
      size_t want = std::min<size_t>(total, 8192);
      front = std::string_view(
          reinterpret_cast<const char*>(evbuffer_pullup(in, static_cast<ssize_t>(want))), want);
      step = dec.next(front);
    }
  }
  switch (step.kind) {
    case http::ChunkedDecoder::Kind::framing:
      evbuffer_drain(in, step.length);
      break;
    case http::ChunkedDecoder::Kind::done:
      evbuffer_drain(in, step.length);
      if (rechunk) evbuffer_add(out, "0\r\n\r\n", 5);
      break;
    case http::ChunkedDecoder::Kind::data:
      if (rechunk) {
        char line[24];
        int n = snprintf(line, sizeof line, "%zx\r\n", step.length);
        evbuffer_add(out, line, static_cast<size_t>(n));
      }
      evbuffer_remove_buffer(in, out, step.length);
      if (rechunk) evbuffer_add(out, "\r\n", 2);
      break;
    default:
      break;
  }
  return step;
}

}  // namespace fathom
