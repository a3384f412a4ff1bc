#include "store/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "ops/log.h"
#include "store/frame.h"
#include "store/store_error.h"
#include "store/token_codec.h"

namespace fathom::store {

void drop_torn_tail(const std::filesystem::path& file, const FrameScan& scan, size_t size,
                    const SyncFn& sync) {
  log::warn("store_journal_torn_tail",
            {{"file", file.string()},
             {"offset", static_cast<unsigned long>(scan.bad_offset)},
             {"dropped_bytes", static_cast<unsigned long>(size - scan.good_end)},
             {"problem", scan.problem}});
  int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw StoreError(file.string() + ": cannot open: " + errno_text(errno));
  if (::ftruncate(fd, static_cast<off_t>(scan.good_end)) != 0) {
    int err = errno;
    ::close(fd);
    throw StoreError(file.string() + ": cannot cut off the torn last record: " + errno_text(err));
  }
  try {
    sync_fd(fd, sync, file);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
}

Journal::Journal(std::filesystem::path file, int fd, uint64_t bytes, uint64_t records)
    : file_(std::move(file)), fd_(fd), bytes_(bytes), records_(records) {}

Journal::~Journal() {
  ::close(fd_);
}

void Journal::append(std::string_view frames, uint64_t records) {
  write_all(fd_, frames, file_);
  bytes_ += frames.size();
  records_ += records;
}

void Journal::sync(const SyncFn& sync) {
  sync_fd(fd_, sync, file_);
}

std::unique_ptr<Journal> start_new_journal(const ReplayContext& ctx, const SyncFn& sync,
                                           std::string_view records, uint64_t record_count) {
  std::string bytes;
  append_frame(bytes, header_payload(ctx.key_fingerprint));
  bytes.append(records);
  int fd = replace_file(ctx.store_dir, kJournalName, bytes, sync, /*keep_open=*/true);
  return std::make_unique<Journal>(ctx.store_dir / kJournalName, fd, bytes.size(), record_count);
}

std::unique_ptr<Journal> open_journal(const ReplayContext& ctx, TokenIndex& index,
                                      PairCodeIndex& pair_codes, const SyncFn& sync) {
  std::filesystem::path file = ctx.store_dir / kJournalName;
  std::string bytes;
  // The journal is only ever created whole (header written, synced, renamed into place), so an
  // empty one holds nothing to lose.
  if (!read_file(file, bytes) || bytes.empty()) return start_new_journal(ctx, sync);

  FrameScan scan = scan_frames(bytes);
  if (scan.end == FrameScan::End::corrupt || scan.frames.empty()) {
    // No good header means the damage is not a torn append: the header was never appended.
    throw StoreError(file.string() + ": corrupt record at byte " + std::to_string(scan.bad_offset) +
                     ": " + scan.problem +
                     "; restore the store from a backup or move the file aside");
  }
  replay_frames(ctx, file, FileKind::journal, scan.frames, index, pair_codes);
  if (scan.end == FrameScan::End::torn) drop_torn_tail(file, scan, bytes.size(), sync);

  int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) throw StoreError(file.string() + ": cannot open for writing: " + errno_text(errno));
  return std::make_unique<Journal>(file, fd, scan.good_end, scan.frames.size() - 1);
}

}  // namespace fathom::store
