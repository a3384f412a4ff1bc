// The /ws session after the 101: echoes data frames back (unmasked, same opcode, frame by frame,
// payloads streamed so a 64-bit-length frame needs no more memory than a small one), answers
// ping with pong and close with close.
#pragma once

#include <array>
#include <cstdint>

#include "websocket.h"

struct evbuffer;

namespace fathom::lake {

class WebSocketEcho {
 public:
  enum class Status : uint8_t {
    open,     // waiting for more input (or for the output to drain)
    closing,  // a close frame has been queued: flush, then close the connection
  };

  // Consumes what it can of `in`, appending replies to `out`. Stops early while `out` is above
  // kOutputHighWater; call again when it has drained.
  Status feed(evbuffer* in, evbuffer* out);

 private:
  void send_close(evbuffer* out, uint16_t code);
  bool relay_payload(evbuffer* in, evbuffer* out);  // true when the frame's payload is complete

  bool closing_ = false;
  bool in_frame_ = false;  // a data frame's header is echoed; its payload is still streaming
  ws::FrameHeader frame_;
  uint64_t relayed_ = 0;  // payload bytes of the current frame already echoed
  std::array<unsigned char, 16 * 1024> scratch_;
};

}  // namespace fathom::lake
