#include "websocket_echo.h"

#include <event2/buffer.h>

#include <algorithm>
#include <string>

#include "response_stream.h"

namespace fathom::lake {

namespace {
constexpr uint16_t kProtocolError = 1002;
}  // namespace

void WebSocketEcho::send_close(evbuffer* out, uint16_t code) {
  std::string frame;
  ws::append_frame_header(frame, true, ws::close, 2);
  frame.push_back(static_cast<char>(code >> 8));
  frame.push_back(static_cast<char>(code & 0xFF));
  evbuffer_add(out, frame.data(), frame.size());
  closing_ = true;
}

bool WebSocketEcho::relay_payload(evbuffer* in, evbuffer* out) {
  while (relayed_ < frame_.length && evbuffer_get_length(out) < kOutputHighWater) {
    size_t n = static_cast<size_t>(
        std::min<uint64_t>({frame_.length - relayed_, scratch_.size(), evbuffer_get_length(in)}));
    if (n == 0) break;
    evbuffer_remove(in, scratch_.data(), n);
    ws::unmask(scratch_.data(), n, frame_.mask, relayed_);
    evbuffer_add(out, scratch_.data(), n);
    relayed_ += n;
  }
  return relayed_ == frame_.length;
}

WebSocketEcho::Status WebSocketEcho::feed(evbuffer* in, evbuffer* out) {
  while (!closing_) {
    if (evbuffer_get_length(out) >= kOutputHighWater) return Status::open;
    if (in_frame_) {
      if (!relay_payload(in, out)) return Status::open;
      in_frame_ = false;
      continue;
    }
    const size_t avail = evbuffer_get_length(in);
    if (avail == 0) return Status::open;
    const size_t window = std::min(avail, ws::kMaxHeaderSize);
    const char* p =
        reinterpret_cast<const char*>(evbuffer_pullup(in, static_cast<ev_ssize_t>(window)));
    ws::HeaderStatus status = ws::parse_frame_header({p, window}, frame_);
    if (status == ws::HeaderStatus::need_more) return Status::open;
    // Clients must mask every frame (RFC 6455 section 5.1).
    if (status == ws::HeaderStatus::bad || !frame_.masked) {
      send_close(out, kProtocolError);
      break;
    }
    if (!ws::is_control(frame_.opcode)) {
      std::string header;
      ws::append_frame_header(header, frame_.fin, frame_.opcode, frame_.length);
      evbuffer_drain(in, frame_.size);
      evbuffer_add(out, header.data(), header.size());
      relayed_ = 0;
      in_frame_ = true;
      continue;
    }
    // Control frames are at most 125 bytes: wait until the whole frame is here.
    if (avail < frame_.size + frame_.length) return Status::open;
    evbuffer_drain(in, frame_.size);
    evbuffer_remove(in, scratch_.data(), frame_.length);
    ws::unmask(scratch_.data(), frame_.length, frame_.mask, 0);
    if (frame_.opcode == ws::pong) continue;
    std::string reply;
    ws::append_frame_header(reply, true, frame_.opcode == ws::ping ? ws::pong : ws::close,
                            frame_.length);
    reply.append(reinterpret_cast<const char*>(scratch_.data()), frame_.length);
    evbuffer_add(out, reply.data(), reply.size());
    if (frame_.opcode == ws::close) closing_ = true;
  }
  // After a close, nothing the client sends matters any more.
  evbuffer_drain(in, evbuffer_get_length(in));
  return Status::closing;
}

}  // namespace fathom::lake
