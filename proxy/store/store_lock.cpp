#include "store/store_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "store/file_io.h"
#include "store/store_error.h"

namespace fathom::store {
namespace {

std::string holder_pid(int fd) {
  char buf[32] = {};
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string pid;
  for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i) pid.push_back(buf[i]);
  // The holder may not have written its pid yet.
  return pid.empty() ? "unknown" : pid;
}

}  // namespace

StoreLock::StoreLock(const std::filesystem::path& store_dir) {
  std::filesystem::path file = store_dir / "lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    throw StoreError(file.string() + ": cannot open the lock file: " + errno_text(errno));
  }
  int rc;
  do {
    rc = ::flock(fd_, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    int err = errno;
    std::string pid = err == EWOULDBLOCK ? holder_pid(fd_) : "";
    ::close(fd_);
    if (err == EWOULDBLOCK) {
      throw StoreLockedError(
          store_dir.string() + ": the store is in use by another fathom-auth (pid " + pid + ")",
          pid);
    }
    throw StoreError(file.string() + ": cannot lock: " + errno_text(err));
  }
  // Only informative, so a failure to record the pid is not worth refusing to start over.
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] ssize_t n = ::pwrite(fd_, pid.data(), pid.size(), 0);
  }
}

StoreLock::~StoreLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace fathom::store
