#include "support/websocket_client.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <random>
#include <stdexcept>

namespace fathom::test {

namespace ws {

namespace {

std::mt19937& rng() {
  static thread_local std::mt19937 r(std::random_device{}());
  return r;
}

std::string base64(const unsigned char* data, size_t len) {
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(len));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace

std::string encode_client_frame(Opcode opcode, std::string_view payload, uint32_t mask_key,
                                bool fin) {
  std::string out;
  out.reserve(payload.size() + 14);
  out.push_back(static_cast<char>((fin ? 0x80 : 0x00) | static_cast<uint8_t>(opcode)));
  if (payload.size() < 126) {
    out.push_back(static_cast<char>(0x80 | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(payload.size() >> 8));
    out.push_back(static_cast<char>(payload.size() & 0xFF));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((static_cast<uint64_t>(payload.size()) >> shift) & 0xFF));
    }
  }
  const unsigned char mask[4] = {
      static_cast<unsigned char>(mask_key >> 24), static_cast<unsigned char>(mask_key >> 16),
      static_cast<unsigned char>(mask_key >> 8), static_cast<unsigned char>(mask_key)};
  out.append(reinterpret_cast<const char*>(mask), 4);
  for (size_t i = 0; i < payload.size(); ++i) {
    out.push_back(static_cast<char>(static_cast<unsigned char>(payload[i]) ^ mask[i % 4]));
  }
  return out;
}

size_t decode_frame(std::string_view buf, Frame& out) {
  if (buf.size() < 2) return 0;
  auto byte = [&](size_t i) { return static_cast<unsigned char>(buf[i]); };
  if ((byte(0) & 0x70) != 0) throw std::runtime_error("WebSocket frame with RSV bits set");
  out.fin = (byte(0) & 0x80) != 0;
  out.opcode = static_cast<Opcode>(byte(0) & 0x0F);
  out.masked = (byte(1) & 0x80) != 0;
  uint64_t len = byte(1) & 0x7F;
  size_t pos = 2;
  if (len == 126) {
    if (buf.size() < 4) return 0;
    len = (uint64_t{byte(2)} << 8) | byte(3);
    pos = 4;
  } else if (len == 127) {
    if (buf.size() < 10) return 0;
    len = 0;
    for (size_t i = 2; i < 10; ++i) len = (len << 8) | byte(i);
    pos = 10;
  }
  unsigned char mask[4] = {0, 0, 0, 0};
  if (out.masked) {
    if (buf.size() < pos + 4) return 0;
    for (size_t i = 0; i < 4; ++i) mask[i] = byte(pos + i);
    pos += 4;
  }
  if (buf.size() - pos < len) return 0;
  out.payload.assign(buf.substr(pos, static_cast<size_t>(len)));
  if (out.masked) {
    for (size_t i = 0; i < out.payload.size(); ++i) {
      out.payload[i] = static_cast<char>(static_cast<unsigned char>(out.payload[i]) ^ mask[i % 4]);
    }
  }
  return pos + static_cast<size_t>(len);
}

std::string new_key() {
  unsigned char raw[16];
  for (unsigned char& c : raw) c = static_cast<unsigned char>(rng()() & 0xFF);
  return base64(raw, sizeof raw);
}

std::string accept_for(std::string_view key) {
  std::string input(key);
  input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return base64(digest, sizeof digest);
}

}  // namespace ws

WebSocketClient WebSocketClient::open(uint16_t port, std::string_view path) {
  HttpConnection conn = HttpConnection::open(port);
  std::string key = ws::new_key();
  conn.send_all(request("GET", path,
                        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
                            "\r\nSec-WebSocket-Version: 13\r\n"));
  Response r = conn.read_head("GET");
  if (r.status != 101) {
    conn.read_body(r, [&](std::string_view d) { r.body.append(d); });
    throw std::runtime_error("WebSocket handshake answered " + r.status_line() + ": " + r.body);
  }
  auto upgrade = r.header("Upgrade");
  auto accept = r.header("Sec-WebSocket-Accept");
  if (!upgrade || upgrade->find("ebsocket") == std::string::npos) {
    throw std::runtime_error("101 without \"Upgrade: websocket\"");
  }
  if (!accept || *accept != ws::accept_for(key)) {
    throw std::runtime_error("101 with a wrong Sec-WebSocket-Accept: " + accept.value_or("(none)"));
  }
  std::string pending = conn.take_buffered();
  return WebSocketClient(std::move(conn), std::move(r), std::move(pending));
}

void WebSocketClient::send(ws::Opcode opcode, std::string_view payload) {
  conn_.send_all(ws::encode_client_frame(opcode, payload, static_cast<uint32_t>(ws::rng()())));
}

ws::Frame WebSocketClient::receive(milliseconds timeout) {
  for (;;) {
    ws::Frame frame;
    size_t used = ws::decode_frame(pending_, frame);
    if (used > 0) {
      pending_.erase(0, used);
      return frame;
    }
    std::optional<std::string> more = conn_.read_some(timeout);
    if (!more) throw std::runtime_error("no WebSocket frame within the timeout");
    if (more->empty()) throw std::runtime_error("the connection closed mid-frame");
    pending_ += *more;
  }
}

}  // namespace fathom::test
