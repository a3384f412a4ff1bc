// /sse: a text/event-stream of `events` events, one every `interval_ms`, each in its own chunk and
// written the moment it is made, so that tests can see whether a proxy delivers them one by one.
#pragma once

#include <cstdint>
#include <string>

#include "response_stream.h"

namespace fathom::lake {

// One event as the stream writes it: "id: <i>\ndata: {"i":<i>,"sent_at_us":<t>}\n\n".
std::string sse_event(uint64_t i, int64_t sent_at_us);

class SseStream : public ResponseStream {
 public:
  // `chunked` false (an HTTP/1.0 client) writes the events raw and ends by closing.
  SseStream(std::string head, uint64_t events, uint64_t interval_ms, bool chunked);

  StreamStep start(evbuffer* out) override;
  StreamStep on_timer(evbuffer* out) override { return emit(out); }

 private:
  StreamStep emit(evbuffer* out);

  std::string head_;
  uint64_t events_;
  uint64_t interval_ms_;
  bool chunked_;
  uint64_t next_ = 0;
};

}  // namespace fathom::lake
