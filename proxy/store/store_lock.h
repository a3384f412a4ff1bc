// One fathom-auth per store: an exclusive flock on `<store>/lock`, held for the store's life.
// flock locks belong to the open file description, so a second FileStore in the same process is
// refused exactly like a second daemon. The kernel drops the lock when the process dies, so a
// crash never leaves a stale lock behind; the pid in the file is only for the error message.
#pragma once

#include <filesystem>

namespace fathom::store {

class StoreLock {
 public:
  // Throws StoreError "<store_dir>: the store is in use by another fathom-auth (pid N)".
  explicit StoreLock(const std::filesystem::path& store_dir);
  ~StoreLock();
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace fathom::store
