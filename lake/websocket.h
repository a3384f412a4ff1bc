// RFC 6455 frame codec for the lake's echo endpoint: pure functions over bytes, no I/O, so the
// tests can check them without a socket.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fathom::lake::ws {

enum Opcode : uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

inline bool is_control(uint8_t opcode) {
  return (opcode & 0x8) != 0;
}

// The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key:
// base64(SHA-1(key + the RFC's fixed GUID)).
std::string accept_key(std::string_view client_key);

// True if `key` is what RFC 6455 section 4.1 asks for: base64 of 16 bytes (24 characters).
bool valid_client_key(std::string_view key);

struct FrameHeader {
  bool fin = false;
  uint8_t opcode = 0;
  bool masked = false;
  uint64_t length = 0;  // payload bytes
  std::array<uint8_t, 4> mask{};
  size_t size = 0;  // bytes of the header itself (2 to 14)
};

enum class HeaderStatus : uint8_t { need_more, ok, bad };

// Longest possible frame header: 2 + 8 (64-bit length) + 4 (mask).
inline constexpr size_t kMaxHeaderSize = 14;

// Reads a frame header from the front of `in`. `bad` for reserved bits, unknown opcodes,
// fragmented or oversized (>125) control frames, and 64-bit lengths with the top bit set.
HeaderStatus parse_frame_header(std::string_view in, FrameHeader& out);

// Appends an unmasked (server-to-client) frame header.
void append_frame_header(std::string& out, bool fin, uint8_t opcode, uint64_t length);

// XORs `n` payload bytes with the mask; `offset` is the position of data[0] within the payload,
// so a payload can be unmasked piece by piece as it arrives.
void unmask(unsigned char* data, size_t n, const std::array<uint8_t, 4>& mask, uint64_t offset);

}  // namespace fathom::lake::ws
