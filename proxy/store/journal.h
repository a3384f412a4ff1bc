// The append-only journal: `<store>/journal`, a header record then one record per write. A batch
// of records is appended with one write and made durable with one sync (group commit).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "store/file_io.h"
#include "store/frame.h"
#include "store/pair_code_index.h"
#include "store/replay.h"
#include "store/token_index.h"

namespace fathom::store {

inline constexpr const char* kJournalName = "journal";

class Journal {
 public:
  Journal(std::filesystem::path file, int fd, uint64_t bytes, uint64_t records);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends already-framed records, then sync() makes them durable. Both throw StoreError;
  // after a failure the file's tail is unknown and the journal must not be written again.
  void append(std::string_view frames, uint64_t records);
  void sync(const SyncFn& sync);

  uint64_t bytes() const { return bytes_; }
  uint64_t records() const { return records_; }  // not counting the header

 private:
  std::filesystem::path file_;
  int fd_;
  uint64_t bytes_;
  uint64_t records_;
};

// Cuts an unfinished last write (scan.end == torn) off `file`, whose size is `size`, so the next
// append starts on a record boundary; logs what it dropped. Throws StoreError.
void drop_torn_tail(const std::filesystem::path& file, const FrameScan& scan, size_t size,
                    const SyncFn& sync);

// Start-up: replays `<dir>/journal` into the indexes. A torn last write is logged and cut off; any
// other damage throws StoreError naming the byte offset. A missing or empty journal is replaced
// by a fresh one.
std::unique_ptr<Journal> open_journal(const ReplayContext& ctx, TokenIndex& index,
                                      PairCodeIndex& pair_codes, const SyncFn& sync);

// Atomically replaces `<dir>/journal` with one holding a header and then `records` (already
// framed; empty for compaction, see FileStore::compact; a reset and puts for a restore).
std::unique_ptr<Journal> start_new_journal(const ReplayContext& ctx, const SyncFn& sync,
                                           std::string_view records = {},
                                           uint64_t record_count = 0);

}  // namespace fathom::store
