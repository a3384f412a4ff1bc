// Small POSIX helpers for the store's files. Every failure throws StoreError naming the file and
// the system error, so the writer can stop with a message an operator can act on.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "store/store_error.h"

namespace fathom::store {

// fdatasync, or a stand-in that tests use to make it fail.
using SyncFn = std::function<int(int fd)>;

std::string errno_text(int err);

// Which file a path named at some moment: compared to see whether a rename replaced it.
struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  bool operator==(const FileIdentity&) const = default;
};

// Reads the whole file into `out`; false when it does not exist.
bool read_file(const std::filesystem::path& file, std::string& out);

// An open, read-only file, closed by the destructor; reads through it see the file that was
// opened even after a rename replaces it.
class OpenFile {
 public:
  // Not open() when the file does not exist; other errors throw StoreError.
  explicit OpenFile(const std::filesystem::path& file);
  ~OpenFile();
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;

  bool open() const { return fd_ >= 0; }
  FileIdentity identity() const;
  // Reads from the start to the end as it is now.
  std::string read_all() const;

 private:
  std::filesystem::path file_;
  int fd_ = -1;
};

// The file `file` names now; nullopt when it does not exist. Throws StoreError on other errors.
std::optional<FileIdentity> identity_of(const std::filesystem::path& file);

// Writes every byte, retrying short writes and EINTR.
void write_all(int fd, std::string_view bytes, const std::filesystem::path& file);

void sync_fd(int fd, const SyncFn& sync, const std::filesystem::path& file);

// fsync of a directory makes renames and creations inside it durable.
void sync_dir(const std::filesystem::path& dir);

// Writes `bytes` to `<name>.tmp`, syncs it, renames it over `name` and syncs the directory:
// afterwards `name` holds either the old or the new content, never a mix, even after a crash.
// Returns an open, append-mode descriptor on the new file when `keep_open` (else -1).
int replace_file(const std::filesystem::path& dir, std::string_view name, std::string_view bytes,
                 const SyncFn& sync, bool keep_open);

}  // namespace fathom::store
