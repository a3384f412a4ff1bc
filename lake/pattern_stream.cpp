#include "pattern_stream.h"

#include <event2/buffer.h>

#include <algorithm>
#include <array>

#include "http/serialize.h"

namespace fathom::lake {

namespace {

constexpr size_t kPatternBlock = 64 * 1024;
// Pieces this large are added by reference to one static block (no copy, no allocation); smaller
// ones are copied so that tiny chunks do not each cost an evbuffer chain.
constexpr size_t kReferenceThreshold = 4096;

// 26 extra bytes so that a block starting at any phase of the alphabet fits.
const std::array<char, kPatternBlock + 26>& pattern_block() {
  static const auto block = [] {
    std::array<char, kPatternBlock + 26> b{};
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<char>('a' + i % 26);
    return b;
  }();
  return block;
}

}  // namespace

void append_pattern(evbuffer* out, uint64_t offset, uint64_t n) {
  const auto& block = pattern_block();
  while (n > 0) {
    size_t piece = static_cast<size_t>(std::min<uint64_t>(n, kPatternBlock));
    const char* src = block.data() + offset % 26;
    if (piece >= kReferenceThreshold) {
      evbuffer_add_reference(out, src, piece, nullptr, nullptr);
    } else {
      evbuffer_add(out, src, piece);
    }
    offset += piece;
    n -= piece;
  }
}

PatternStream::PatternStream(std::string head, uint64_t total, bool chunked, uint64_t chunk_size)
    : head_(std::move(head)), total_(total), chunked_(chunked), chunk_size_(chunk_size) {}

StreamStep PatternStream::start(evbuffer* out) {
  evbuffer_add(out, head_.data(), head_.size());
  head_ = std::string();
  return fill(out);
}

StreamStep PatternStream::fill(evbuffer* out) {
  std::string framing;
  while (!finished_ && evbuffer_get_length(out) < kOutputHighWater) {
    if (sent_ == total_) {
      if (chunked_) evbuffer_add(out, "0\r\n\r\n", 5);
      finished_ = true;
      break;
    }
    if (chunked_ && chunk_left_ == 0) {
      chunk_left_ = std::min(chunk_size_, total_ - sent_);
      framing.clear();
      http::append_chunk_size(framing, chunk_left_);
      evbuffer_add(out, framing.data(), framing.size());
    }
    uint64_t budget = kOutputHighWater - evbuffer_get_length(out);
    uint64_t n = std::min(chunked_ ? chunk_left_ : total_ - sent_, std::max<uint64_t>(budget, 1));
    append_pattern(out, sent_, n);
    sent_ += n;
    if (chunked_) {
      chunk_left_ -= n;
      if (chunk_left_ == 0) evbuffer_add(out, "\r\n", 2);
    }
  }
  return StreamStep{.done = finished_};
}

}  // namespace fathom::lake
