#include "audit/audit_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "audit/audit_error.h"

namespace fathom::audit {

std::string errno_text(int err) {
  char buf[256];
  // GNU strerror_r may return a static string instead of filling buf.
  return strerror_r(err, buf, sizeof buf);
}

void fail_io(const std::filesystem::path& file, std::string_view what, int err) {
  throw AuditError(file.string() + ": " + std::string(what) + ": " + errno_text(err));
}

std::string segment_name(uint32_t number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06u.log", number);
  return buf;
}

std::vector<SegmentFile> list_segments(const std::filesystem::path& dir) {
  std::vector<SegmentFile> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 5 || !name.ends_with(".log")) continue;
    const std::string_view digits(name.data(), name.size() - 4);
    if (digits.size() > 9 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    uint32_t number = static_cast<uint32_t>(std::stoul(std::string(digits)));
    if (number == 0 || segment_name(number) != name) continue;
    out.push_back({number, entry.path()});
  }
  if (ec) fail_io(dir, "cannot list", ec.value());
  std::sort(out.begin(), out.end(),
            [](const SegmentFile& a, const SegmentFile& b) { return a.number < b.number; });
  return out;
}

bool read_whole_file(const std::filesystem::path& file, std::string& out) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return false;
    fail_io(file, "cannot open", errno);
  }
  out.clear();
  off_t size = ::lseek(fd, 0, SEEK_END);
  if (size > 0) out.reserve(static_cast<size_t>(size));
  char buf[1 << 16];
  for (off_t at = 0;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      fail_io(file, "cannot read", err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    at += n;
  }
  ::close(fd);
  return true;
}

void write_all(int fd, std::string_view bytes, const std::filesystem::path& file) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_io(file, "write failed", errno);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

void sync_fd(int fd, const SyncFn& sync, const std::filesystem::path& file) {
  // No retry: after a failed sync the kernel may have dropped the dirty pages, and a second
  // sync that "succeeds" would prove nothing.
  if ((sync ? sync(fd) : ::fdatasync(fd)) != 0) fail_io(file, "fsync failed", errno);
}

void sync_dir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail_io(dir, "cannot open directory", errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) fail_io(dir, "fsync failed", err);
}

void replace_file(const std::filesystem::path& dir, std::string_view name, std::string_view bytes,
                  const SyncFn& sync) {
  const std::filesystem::path tmp = dir / (std::string(name) + ".tmp");
  const std::filesystem::path target = dir / std::string(name);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail_io(tmp, "cannot create", errno);
  try {
    write_all(fd, bytes, tmp);
    sync_fd(fd, sync, tmp);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), target.c_str()) != 0)
    fail_io(target, "cannot rename into place", errno);
  sync_dir(dir);
}

}  // namespace fathom::audit
