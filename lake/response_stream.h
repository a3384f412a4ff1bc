// A response the lake writes over time rather than at once: a large download, an event stream,
// a delayed answer. The connection owns the socket and the one timer; a stream only decides what
// to append to the output and when it wants to be called again, so it never frees anything from
// inside a callback.
#pragma once

#include <cstdint>

struct evbuffer;

namespace fathom::lake {

// Output above this stops producers; they resume when the connection's write watermark (below)
// says the socket has drained it. Bounds a connection's memory whatever the response size.
inline constexpr size_t kOutputHighWater = 1024 * 1024;
inline constexpr size_t kOutputLowWater = 256 * 1024;

struct StreamStep {
  bool done = false;      // the whole response has been appended
  int64_t timer_ms = -1;  // >= 0: call on_timer() after this many milliseconds
};

class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Called once; the head comes first, from the stream itself, so a delayed answer can hold it.
  virtual StreamStep start(evbuffer* out) = 0;
  // The output has drained below kOutputLowWater.
  virtual StreamStep on_writable(evbuffer* /*out*/) { return {}; }
  // The timer asked for by the last step has fired.
  virtual StreamStep on_timer(evbuffer* /*out*/) { return {}; }
};

}  // namespace fathom::lake
