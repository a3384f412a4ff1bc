// The audit log's files and the POSIX calls on them. Every failure throws AuditError naming the
// file and the system error.
//
//   <dir>/lock        flock held by the FileAuditLog that writes here
//   <dir>/NNNNNN.log  segments of stored lines (stored_line.h), numbered from 000001, in order
//   <dir>/anchor      after a prune: where the remaining chain starts (anchor.h)
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace fathom::audit {

// fdatasync, or a stand-in that tests use to make it fail.
using SyncFn = std::function<int(int fd)>;

std::string errno_text(int err);
[[noreturn]] void fail_io(const std::filesystem::path& file, std::string_view what, int err);

struct SegmentFile {
  uint32_t number = 0;
  std::filesystem::path path;
};

std::string segment_name(uint32_t number);
// The segments in `dir`, oldest first. Other files are ignored.
std::vector<SegmentFile> list_segments(const std::filesystem::path& dir);

// Reads the whole file; false when it does not exist.
bool read_whole_file(const std::filesystem::path& file, std::string& out);

void write_all(int fd, std::string_view bytes, const std::filesystem::path& file);
void sync_fd(int fd, const SyncFn& sync, const std::filesystem::path& file);
void sync_dir(const std::filesystem::path& dir);

// Writes `<name>.tmp`, syncs it, renames it over `name`, syncs the directory: after a crash the
// file holds the old or the new bytes, never a mix.
void replace_file(const std::filesystem::path& dir, std::string_view name, std::string_view bytes,
                  const SyncFn& sync);

}  // namespace fathom::audit
