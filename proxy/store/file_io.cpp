#include "store/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fathom::store {
namespace {

[[noreturn]] void fail(const std::filesystem::path& file, std::string_view what, int err) {
  throw StoreError(file.string() + ": " + std::string(what) + ": " + errno_text(err));
}

// Appends everything from the current offset to the end; returns errno, 0 on success.
int read_rest(int fd, std::string& out) {
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return 0;
    out.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

std::string errno_text(int err) {
  char buf[256];
  // GNU strerror_r may return a static string instead of filling buf.
  const char* text = strerror_r(err, buf, sizeof buf);
  return text;
}

bool read_file(const std::filesystem::path& file, std::string& out) {
  OpenFile f(file);
  if (!f.open()) return false;
  out = f.read_all();
  return true;
}

OpenFile::OpenFile(const std::filesystem::path& file) : file_(file) {
  fd_ = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0 && errno != ENOENT) fail(file, "cannot open", errno);
}

OpenFile::~OpenFile() {
  if (fd_ >= 0) ::close(fd_);
}

FileIdentity OpenFile::identity() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) fail(file_, "cannot stat", errno);
  return FileIdentity{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

std::string OpenFile::read_all() const {
  std::string out;
  if (::lseek(fd_, 0, SEEK_SET) < 0) fail(file_, "cannot seek", errno);
  if (int err = read_rest(fd_, out); err != 0) fail(file_, "cannot read", err);
  return out;
}

std::optional<FileIdentity> identity_of(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt;
    fail(file, "cannot stat", errno);
  }
  return FileIdentity{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

void write_all(int fd, std::string_view bytes, const std::filesystem::path& file) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(file, "write failed", errno);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

void sync_fd(int fd, const SyncFn& sync, const std::filesystem::path& file) {
  // No retry on EINTR or anything else: after a failed sync the kernel may have dropped the dirty
  // pages, and a second sync that "succeeds" would prove nothing.
  if (sync(fd) != 0) fail(file, "fsync failed", errno);
}

void sync_dir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail(dir, "cannot open directory", errno);
  // A full fsync: a directory's entries are its metadata, which fdatasync may skip.
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) fail(dir, "fsync failed", err);
}

int replace_file(const std::filesystem::path& dir, std::string_view name, std::string_view bytes,
                 const SyncFn& sync, bool keep_open) {
  std::filesystem::path tmp = dir / (std::string(name) + ".tmp");
  std::filesystem::path target = dir / std::string(name);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) fail(tmp, "cannot create", errno);
  try {
    // O_CREAT's mode does not apply to a leftover temporary file; every store file is private.
    if (::fchmod(fd, 0600) != 0) fail(tmp, "cannot chmod 0600", errno);
    write_all(fd, bytes, tmp);
    sync_fd(fd, sync, tmp);
    if (::rename(tmp.c_str(), target.c_str()) != 0) fail(target, "cannot rename into place", errno);
    sync_dir(dir);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (keep_open) return fd;
  ::close(fd);
  return -1;
}

}  // namespace fathom::store
