#include "websocket.h"

#include <openssl/evp.h>

namespace fathom::lake::ws {

namespace {
constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}
}  // namespace

std::string accept_key(std::string_view client_key) {
  std::string input(client_key);
  input.append(kGuid);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  EVP_Digest(input.data(), input.size(), digest, &digest_len, EVP_sha1(), nullptr);
  // EVP_EncodeBlock writes 4 characters per 3 bytes plus a terminating NUL.
  std::string out(((digest_len + 2) / 3) * 4 + 1, '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest,
                                static_cast<int>(digest_len));
  out.resize(written < 0 ? 0 : static_cast<size_t>(written));
  return out;
}

bool valid_client_key(std::string_view key) {
  // 16 bytes encode to 22 significant characters and "==".
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (size_t i = 0; i < 22; ++i) {
    if (!is_base64_char(key[i])) return false;
  }
  return true;
}

HeaderStatus parse_frame_header(std::string_view in, FrameHeader& out) {
  if (in.size() < 2) return HeaderStatus::need_more;
  auto byte = [&](size_t i) { return static_cast<uint8_t>(in[i]); };
  const uint8_t b0 = byte(0);
  const uint8_t b1 = byte(1);
  if ((b0 & 0x70) != 0) return HeaderStatus::bad;  // no extension negotiated RSV bits
  out.fin = (b0 & 0x80) != 0;
  out.opcode = b0 & 0x0F;
  switch (out.opcode) {
    case continuation:
    case text:
    case binary:
    case close:
    case ping:
    case pong:
      break;
    default:
      return HeaderStatus::bad;
  }
  out.masked = (b1 & 0x80) != 0;
  const uint8_t len7 = b1 & 0x7F;
  size_t pos = 2;
  if (len7 < 126) {
    out.length = len7;
  } else if (len7 == 126) {
    if (in.size() < pos + 2) return HeaderStatus::need_more;
    out.length = (uint64_t{byte(2)} << 8) | byte(3);
    pos += 2;
  } else {
    if (in.size() < pos + 8) return HeaderStatus::need_more;
    if ((byte(2) & 0x80) != 0) return HeaderStatus::bad;
    out.length = 0;
    for (size_t i = 0; i < 8; ++i) out.length = (out.length << 8) | byte(2 + i);
    pos += 8;
  }
  if (is_control(out.opcode) && (!out.fin || out.length > 125)) return HeaderStatus::bad;
  if (out.masked) {
    if (in.size() < pos + 4) return HeaderStatus::need_more;
    for (size_t i = 0; i < 4; ++i) out.mask[i] = byte(pos + i);
    pos += 4;
  } else {
    out.mask = {};
  }
  out.size = pos;
  return HeaderStatus::ok;
}

void append_frame_header(std::string& out, bool fin, uint8_t opcode, uint64_t length) {
  out.push_back(static_cast<char>((fin ? 0x80 : 0x00) | (opcode & 0x0F)));
  if (length < 126) {
    out.push_back(static_cast<char>(length));
  } else if (length <= 0xFFFF) {
    out.push_back(static_cast<char>(126));
    out.push_back(static_cast<char>((length >> 8) & 0xFF));
    out.push_back(static_cast<char>(length & 0xFF));
  } else {
    out.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((length >> shift) & 0xFF));
    }
  }
}

void unmask(unsigned char* data, size_t n, const std::array<uint8_t, 4>& mask, uint64_t offset) {
  for (size_t i = 0; i < n; ++i) data[i] ^= mask[(offset + i) & 3];
}

}  // namespace fathom::lake::ws
