#include "store/frame.h"

#include <algorithm>
#include <utility>

#include "auth/crc32.h"

namespace fathom::store {
namespace {

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
}

uint32_t get_u32(std::string_view bytes, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<size_t>(i)]);
  }
  return v;
}

bool all_zero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

}  // namespace

void append_frame(std::string& out, std::string_view payload) {
  put_u32(out, static_cast<uint32_t>(payload.size()));
  put_u32(out, auth::crc32c(payload));
  out.append(payload);
}

FrameScan scan_frames(std::string_view bytes) {
  FrameScan scan;
  size_t at = 0;
  auto stop = [&](FrameScan::End end, std::string problem) {
    scan.end = end;
    scan.bad_offset = at;
    scan.problem = std::move(problem);
    return scan;
  };
  while (at < bytes.size()) {
    std::string_view rest = bytes.substr(at);
    if (rest.size() < kFrameHeaderSize) return stop(FrameScan::End::torn, "incomplete header");
    uint32_t length = get_u32(bytes, at);
    uint32_t crc = get_u32(bytes, at + 4);
    // An empty payload is never written, and zeros would otherwise pass: crc32c("") is 0.
    if (length == 0) {
      return stop(all_zero(rest) ? FrameScan::End::torn : FrameScan::End::corrupt, "zero length");
    }
    if (length > kMaxPayloadSize) {
      return stop(FrameScan::End::corrupt, "implausible length " + std::to_string(length));
    }
    if (rest.size() - kFrameHeaderSize < length) {
      return stop(FrameScan::End::torn, "length runs past the end of the file");
    }
    std::string_view payload = rest.substr(kFrameHeaderSize, length);
    if (auth::crc32c(payload) != crc) {
      bool last = rest.size() == kFrameHeaderSize + length;
      return stop(last || all_zero(rest) ? FrameScan::End::torn : FrameScan::End::corrupt,
                  "checksum mismatch");
    }
    scan.frames.push_back(Frame{at, payload});
    at += kFrameHeaderSize + length;
    scan.good_end = at;
  }
  return scan;
}

}  // namespace fathom::store
