// Feeds arbitrary bytes to the backup reader as the contents of a backup file (what `fathom-auth
// restore` reads before it touches the store). It must never crash and never throw anything but
// StoreError; a backup under any key but the one it names is refused; and a backup it accepts,
// written out again as backup_store would write it, reads back to the same bytes.
//
// Every record carries a crc32c, so nearly every plain mutation would stop at the frame scan; a
// custom mutator puts right the checksums of most mutated inputs, which lets the fuzzer reach the
// record decoding and the replay rules behind it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/crc32.h"
#include "store/backup_reader.h"
#include "store/frame.h"
#include "store/snapshot.h"
#include "store/store_error.h"

namespace {

namespace store = fathom::store;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

const std::filesystem::path kName = "/var/backups/fathom-auth.backup";
// Not a real fingerprint (those are 16 hex characters), so no input's header can name it by
// accident of the format.
constexpr std::string_view kOtherKey = "another-key";

// The backup the store would write for these contents (backup_store: tokens only).
std::string rewritten(const store::BackupContents& contents) {
  return store::snapshot_bytes(contents.key_fingerprint, contents.tokens.all(), {});
}

std::optional<store::BackupContents> read(std::string_view bytes, std::string_view key) {
  try {
    return store::read_backup_bytes(bytes, kName, key);
  } catch (const store::StoreError& e) {
    check(e.what()[0] != '\0');
    return std::nullopt;
  }
}

uint32_t get_u32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// Rewrites the checksum of every whole frame in place (frame.h's layout).
void fix_checksums(uint8_t* data, size_t size) {
  size_t at = 0;
  while (size - at >= store::kFrameHeaderSize) {
    const uint32_t length = get_u32(data + at);
    if (length == 0 || length > size - at - store::kFrameHeaderSize) return;
    const std::string_view payload(
        reinterpret_cast<const char*>(data + at + store::kFrameHeaderSize), length);
    put_u32(data + at + 4, fathom::auth::crc32c(payload));
    at += store::kFrameHeaderSize + length;
  }
}

}  // namespace

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  size = LLVMFuzzerMutate(data, size, max_size);
  // One input in eight keeps whatever checksums the mutation left, so damage is fuzzed too.
  if (seed % 8 != 0) fix_checksums(data, size);
  return size;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  // Restore is given the server's key; try the one the header names, so that the fuzzer gets
  // past the key check, and another one, which must always be refused.
  const std::string named = store::header_fingerprint(store::scan_frames(in).frames);
  if (named != kOtherKey) check(!read(in, kOtherKey));

  std::optional<store::BackupContents> contents = read(in, named);
  if (!contents) return 0;
  check(!named.empty() && contents->key_fingerprint == named);

  const std::string once = rewritten(*contents);
  std::optional<store::BackupContents> again = read(once, named);
  check(again.has_value());
  check(again->pair_codes.size() == 0);
  check(rewritten(*again) == once);
  return 0;
}
