#include "body_reader.h"

#include <event2/buffer.h>

#include <algorithm>
#include <string_view>

namespace fathom::lake {

namespace {
// The chunked decoder needs one whole size or trailer line (at most 4 KiB by its default limit)
// in view; past this much contiguous input without a decision the framing is broken anyway.
constexpr size_t kMaxChunkLineWindow = 8 * 1024;
}  // namespace

void BodyReader::start(http::Framing framing, uint64_t content_length) {
  framing_ = framing;
  remaining_ = framing == http::Framing::content_length ? content_length : 0;
  bytes_ = 0;
  refusal_ = http::Refusal::none;
  chunked_.reset();
  hash_.reset();
}

bool BodyReader::expects_body() const {
  return framing_ == http::Framing::chunked ||
         (framing_ == http::Framing::content_length && remaining_ > 0);
}

BodyReader::Status BodyReader::consume(evbuffer* in) {
  switch (framing_) {
    case http::Framing::content_length:
      return consume_length(in);
    case http::Framing::chunked:
      return consume_chunked(in);
    case http::Framing::none:
    case http::Framing::until_close:  // never for requests
      break;
  }
  return Status::done;
}

void BodyReader::hash_and_drain(evbuffer* in, uint64_t n) {
  // One contiguous extent at a time: no copy, and draining whole chains is cheap.
  while (n > 0) {
    evbuffer_iovec v;
    if (evbuffer_peek(in, -1, nullptr, &v, 1) < 1 || v.iov_len == 0) return;
    size_t k = static_cast<size_t>(std::min<uint64_t>(n, v.iov_len));
    hash_.update(v.iov_base, k);
    evbuffer_drain(in, k);
    bytes_ += k;
    n -= k;
  }
}

BodyReader::Status BodyReader::consume_length(evbuffer* in) {
  uint64_t n = std::min<uint64_t>(remaining_, evbuffer_get_length(in));
  hash_and_drain(in, n);
  remaining_ -= n;
  return remaining_ == 0 ? Status::done : Status::need_more;
}

BodyReader::Status BodyReader::consume_chunked(evbuffer* in) {
  while (true) {
    const size_t avail = evbuffer_get_length(in);
    if (avail == 0) return Status::need_more;
    evbuffer_iovec v;
    evbuffer_peek(in, -1, nullptr, &v, 1);
    std::string_view front(static_cast<const char*>(v.iov_base), v.iov_len);
    http::ChunkedDecoder::Step step = chunked_.next(front);
    switch (step.kind) {
      case http::ChunkedDecoder::Kind::need_more:
        if (front.size() < avail && front.size() < kMaxChunkLineWindow) {
          // The line continues in the next extent: make a longer contiguous front and retry.
          evbuffer_pullup(in, static_cast<ev_ssize_t>(std::min(avail, kMaxChunkLineWindow)));
          continue;
        }
        if (front.size() >= kMaxChunkLineWindow) {
          refusal_ = http::Refusal::chunk_line_too_long;
          return Status::refused;
        }
        return Status::need_more;
      case http::ChunkedDecoder::Kind::framing:
        evbuffer_drain(in, step.length);
        break;
      case http::ChunkedDecoder::Kind::data: {
        size_t k = std::min(step.length, front.size());
        hash_.update(front.data(), k);
        bytes_ += k;
        evbuffer_drain(in, k);
        break;
      }
      case http::ChunkedDecoder::Kind::done:
        evbuffer_drain(in, step.length);
        return Status::done;
      case http::ChunkedDecoder::Kind::refused:
        refusal_ = step.refusal;
        return Status::refused;
    }
  }
}

}  // namespace fathom::lake
