// Incremental decoder of the chunked transfer coding (RFC 9112 section 7.1).
//
// The decoder never copies payload: each call looks at the front of the unread input and says
// either "the first N bytes are framing, drop them" or "the first N bytes are payload, pass them
// on". The caller moves payload straight from one evbuffer to another.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/refusal.h"

namespace fathom::http {

class ChunkedDecoder {
 public:
  enum class Kind : uint8_t {
    need_more,  // the front is an incomplete framing line; call again with more bytes
    framing,    // drop `length` bytes (a size line, the CRLF after data, a trailer line)
    data,       // the first `length` bytes are payload
    done,       // drop `length` bytes: the last chunk and trailers are complete
    refused,    // malformed; `refusal` says why
  };
  struct Step {
    Kind kind = Kind::need_more;
    size_t length = 0;
    Refusal refusal = Refusal::none;
  };

  // Limits the size line (with extensions) and each trailer line, and the trailers in all.
  explicit ChunkedDecoder(size_t max_line = 4096, size_t max_trailer_bytes = 32 * 1024)
      : max_line_(max_line), max_trailer_bytes_(max_trailer_bytes) {}

  // Looks at `in`, the front of the unread input. The caller must act on the step (drop or pass
  // on `length` bytes) before calling again. With `need_more` the caller must offer a longer
  // front next time (more contiguous bytes), or give up once max_line is exceeded: that case is
  // reported as `refused`.
  Step next(std::string_view in);

  bool finished() const { return state_ == State::finished; }
  uint64_t payload_bytes() const { return payload_bytes_; }  // total payload so far
  void reset() { *this = ChunkedDecoder(max_line_, max_trailer_bytes_); }

 private:
  enum class State : uint8_t { size_line, data, data_crlf, trailers, finished, failed };
  State state_ = State::size_line;
  uint64_t remaining_ = 0;  // payload bytes left in the current chunk
  uint64_t payload_bytes_ = 0;
  size_t trailer_bytes_ = 0;
  size_t max_line_;
  size_t max_trailer_bytes_;
};

}  // namespace fathom::http
