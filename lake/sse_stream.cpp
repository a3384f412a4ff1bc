#include "sse_stream.h"

#include <event2/buffer.h>

#include <chrono>

#include "http/serialize.h"

namespace fathom::lake {

std::string sse_event(uint64_t i, int64_t sent_at_us) {
  std::string id = std::to_string(i);
  return "id: " + id + "\ndata: {\"i\":" + id + ",\"sent_at_us\":" + std::to_string(sent_at_us) +
         "}\n\n";
}

SseStream::SseStream(std::string head, uint64_t events, uint64_t interval_ms, bool chunked)
    : head_(std::move(head)), events_(events), interval_ms_(interval_ms), chunked_(chunked) {}

StreamStep SseStream::start(evbuffer* out) {
  evbuffer_add(out, head_.data(), head_.size());
  head_ = std::string();
  // Event 0 goes with the head, so event i leaves about i * interval_ms after the request.
  return emit(out);
}

StreamStep SseStream::emit(evbuffer* out) {
  if (next_ < events_) {
    // CLOCK_REALTIME, so that a test on the same machine can compare with its own clock.
    auto now = std::chrono::system_clock::now().time_since_epoch();
    std::string event =
        sse_event(next_, std::chrono::duration_cast<std::chrono::microseconds>(now).count());
    std::string chunk;
    if (chunked_) http::append_chunk_size(chunk, event.size());
    chunk.append(event);
    if (chunked_) chunk.append("\r\n");
    evbuffer_add(out, chunk.data(), chunk.size());
    ++next_;
  }
  if (next_ < events_) return StreamStep{.timer_ms = static_cast<int64_t>(interval_ms_)};
  if (chunked_) evbuffer_add(out, "0\r\n\r\n", 5);
  return StreamStep{.done = true};
}

}  // namespace fathom::lake
