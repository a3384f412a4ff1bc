// The body of /download and /close-delimited: `total` bytes of the pattern 'a' + i % 26, written
// as the socket drains so that even a multi-GiB response holds at most ~1 MiB of output.
#pragma once

#include <cstdint>
#include <string>

#include "response_stream.h"

namespace fathom::lake {

// Appends pattern bytes [offset, offset + n) to `out`.
void append_pattern(evbuffer* out, uint64_t offset, uint64_t n);

class PatternStream : public ResponseStream {
 public:
  // `chunked`: chunks of `chunk_size` payload bytes and a last chunk; otherwise raw bytes (the
  // head says Content-Length or close-delimited).
  PatternStream(std::string head, uint64_t total, bool chunked, uint64_t chunk_size);

  StreamStep start(evbuffer* out) override;
  StreamStep on_writable(evbuffer* out) override { return fill(out); }

 private:
  StreamStep fill(evbuffer* out);

  std::string head_;
  uint64_t total_;
  uint64_t sent_ = 0;
  bool chunked_;
  uint64_t chunk_size_;
  uint64_t chunk_left_ = 0;  // payload bytes still owed in the chunk being written
  bool finished_ = false;
};

}  // namespace fathom::lake
