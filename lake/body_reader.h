// Consumes a request body from the connection's input as it arrives, hashing it on the way, so
// a body of any size costs the lake no more memory than the input buffer's watermark.
#pragma once

#include <cstdint>
#include <string>

#include "http/chunked.h"
#include "http/message.h"
#include "http/refusal.h"
#include "sha256_stream.h"

struct evbuffer;

namespace fathom::lake {

class BodyReader {
 public:
  enum class Status : uint8_t { need_more, done, refused };

  // Prepares for the body of a new request.
  void start(http::Framing framing, uint64_t content_length);

  // Drains as much of the body from `in` as is there; bytes after the body are left alone.
  Status consume(evbuffer* in);

  http::Refusal refusal() const { return refusal_; }
  uint64_t bytes() const { return bytes_; }
  bool expects_body() const;
  // Digest of the whole body; valid once consume() returned done.
  std::string sha256_hex() { return hash_.hex_digest(); }

 private:
  Status consume_length(evbuffer* in);
  Status consume_chunked(evbuffer* in);
  void hash_and_drain(evbuffer* in, uint64_t n);

  http::Framing framing_ = http::Framing::none;
  uint64_t remaining_ = 0;  // Content-Length bytes still to come
  uint64_t bytes_ = 0;      // payload bytes seen
  http::ChunkedDecoder chunked_;
  http::Refusal refusal_ = http::Refusal::none;
  Sha256Stream hash_;
};

}  // namespace fathom::lake
