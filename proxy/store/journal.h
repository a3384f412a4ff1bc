// The append-only journal: `<store>/journal`, a header record then one record per write. A batch
// of records is appended with one write and made durable with one sync (group commit).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "store/file_io.h"
#include "store/replay.h"
#include "store/token_index.h"

namespace fathom::store {

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

// Start-up: replays `<dir>/journal` into `index`. A torn last write is logged and cut off; any
// other damage throws StoreError naming the byte offset. A missing or empty journal is replaced
// by a fresh one.
std::unique_ptr<Journal> open_journal(const ReplayContext& ctx, TokenIndex& index,
                                      const SyncFn& sync);

// Atomically replaces `<dir>/journal` with one holding only a header (see FileStore::compact).
std::unique_ptr<Journal> start_new_journal(const ReplayContext& ctx, const SyncFn& sync);

}  // namespace fathom::store
