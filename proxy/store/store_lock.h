// One fathom-auth per store: an exclusive flock on `<store>/lock`, held for the store's life.
// flock locks belong to the open file description, so a second FileStore in the same process is
// refused exactly like a second daemon. The kernel drops the lock when the process dies, so a
// crash never leaves a stale lock behind; the pid in the file is only for the error message.
#pragma once

#include <filesystem>
#include <string>
#include <utility>

#include "store/store_error.h"

namespace fathom::store {

// The lock is held by another process or FileStore; `holder_pid` is "unknown" when the holder has
// not written its pid yet.
class StoreLockedError : public StoreError {
 public:
  StoreLockedError(const std::string& message, std::string holder_pid)
      : StoreError(message), holder_pid_(std::move(holder_pid)) {}
  const std::string& holder_pid() const { return holder_pid_; }

 private:
  std::string holder_pid_;
};

class StoreLock {
 public:
  // Throws StoreLockedError "<store_dir>: the store is in use by another fathom-auth (pid N)", or
  // StoreError when the lock file cannot be opened.
  explicit StoreLock(const std::filesystem::path& store_dir);
  ~StoreLock();
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace fathom::store
