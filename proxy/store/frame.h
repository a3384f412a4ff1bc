// Record framing shared by the journal and the snapshot:
//   [u32 little-endian payload length][u32 little-endian crc32c of the payload][payload]
// Pure functions over bytes, so the tricky cases (torn tails, zero-filled tails, corruption in
// the middle) are tested without files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fathom::store {

inline constexpr size_t kFrameHeaderSize = 8;
// No real record comes near this; a larger length is damage, not a record we failed to finish.
inline constexpr uint32_t kMaxPayloadSize = 64u << 20;

// Appends one framed record to `out`. The payload must not be empty (see scan_frames).
void append_frame(std::string& out, std::string_view payload);

struct Frame {
  size_t offset = 0;  // of the frame header in the scanned bytes
  std::string_view payload;
};

struct FrameScan {
  enum class End {
    clean,    // every byte belongs to a good record
    torn,     // the bytes after `good_end` are an unfinished last write: safe to cut off
    corrupt,  // a bad record at `bad_offset` with real data after it: refuse
  };
  std::vector<Frame> frames;  // the good records before `good_end`, in order
  size_t good_end = 0;
  End end = End::clean;
  size_t bad_offset = 0;  // when not clean
  std::string problem;    // when not clean: what was wrong at bad_offset
};

// Splits `bytes` into records. A bad record counts as torn only when nothing a completed write
// could have produced follows it: the length runs past the end, the crc fails on the final
// record, or everything from it to the end is zero (a file system may extend a file with zeros
// that were never written before a crash). Anything else is corruption.
FrameScan scan_frames(std::string_view bytes);

}  // namespace fathom::store
