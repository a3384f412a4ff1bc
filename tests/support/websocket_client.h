// The client side of RFC 6455 over an HttpConnection: the opening handshake, masked frames out,
// frames in. Enough to prove that the proxy tunnels a WebSocket byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "support/http_client.h"

namespace fathom::test {

namespace ws {

enum class Opcode : uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

struct Frame {
  bool fin = true;
  Opcode opcode = Opcode::text;
  bool masked = false;
  std::string payload;  // unmasked
};

// One frame as a client must send it: masked with `mask_key` (RFC 6455 section 5.3).
std::string encode_client_frame(Opcode opcode, std::string_view payload, uint32_t mask_key,
                                bool fin = true);
// Decodes one frame from the front of `buf`: the bytes it used, or 0 if `buf` holds only part of
// a frame. Throws std::runtime_error on a malformed frame.
size_t decode_frame(std::string_view buf, Frame& out);

std::string new_key();                         // 16 random bytes, base64
std::string accept_for(std::string_view key);  // base64(SHA-1(key + RFC 6455 GUID))

}  // namespace ws

class WebSocketClient {
 public:
  // Connects, sends the Upgrade request for `path`, and checks the 101 answer (Upgrade,
  // Connection and Sec-WebSocket-Accept). Throws std::runtime_error otherwise, with the response.
  static WebSocketClient open(uint16_t port, std::string_view path = "/ws");

  void send(ws::Opcode opcode, std::string_view payload);
  void send_text(std::string_view payload) { send(ws::Opcode::text, payload); }
  // The next whole frame; throws on timeout or if the connection ends first.
  ws::Frame receive(milliseconds timeout = kDefaultTimeout);

  HttpConnection& connection() { return conn_; }
  const Response& handshake() const { return handshake_; }

 private:
  WebSocketClient(HttpConnection conn, Response handshake, std::string pending)
      : conn_(std::move(conn)), handshake_(std::move(handshake)), pending_(std::move(pending)) {}

  HttpConnection conn_;
  Response handshake_;
  std::string pending_;  // received, not yet decoded
};

}  // namespace fathom::test
