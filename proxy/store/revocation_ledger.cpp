#include "store/revocation_ledger.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <system_error>

#include "store/frame.h"
#include "store/journal.h"
#include "store/store_error.h"

namespace fathom::store {
namespace {

using nlohmann::json;

[[noreturn]] void bad_entry(const std::filesystem::path& file, size_t offset,
                            std::string_view problem) {
  throw StoreError(file.string() + ": corrupt record at byte " + std::to_string(offset) + ": " +
                   std::string(problem) + "; move the damaged part aside by hand");
}

LedgerEntry decode_entry(const std::filesystem::path& file, const Frame& frame) {
  json j = json::parse(frame.payload, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) bad_entry(file, frame.offset, "not a JSON object");
  auto op = j.find("op");
  if (op == j.end() || *op != "revoked") bad_entry(file, frame.offset, "not a revocation");
  auto id = j.find("token_id");
  auto hash = j.find("secret_hash");
  auto at = j.find("revoked_at");
  if (id == j.end() || !id->is_string() || hash == j.end() || !hash->is_string() || at == j.end() ||
      !at->is_number_integer()) {
    bad_entry(file, frame.offset, "a revocation needs token_id, secret_hash and revoked_at");
  }
  return LedgerEntry{id->get<std::string>(), hash->get<std::string>(), at->get<UnixTime>()};
}

}  // namespace

std::string ledger_payload(const LedgerEntry& entry) {
  return json{{"op", "revoked"},
              {"token_id", entry.token_id},
              {"secret_hash", entry.secret_hash},
              {"revoked_at", entry.revoked_at}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

RevocationLedger::RevocationLedger(std::filesystem::path file, const SyncFn& sync)
    : file_(std::move(file)) {
  std::string bytes;
  bool existed = read_file(file_, bytes);
  if (existed) {
    FrameScan scan = scan_frames(bytes);
    if (scan.end == FrameScan::End::corrupt) bad_entry(file_, scan.bad_offset, scan.problem);
    for (const Frame& frame : scan.frames) decode_entry(file_, frame);
    if (scan.end == FrameScan::End::torn) drop_torn_tail(file_, scan, bytes.size(), sync);
  } else if (file_.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(file_.parent_path(), ec);
  }
  fd_ = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) throw StoreError(file_.string() + ": cannot open for writing: " + errno_text(errno));
  if (!existed) {
    // The ledger must not vanish with a crash just after its first revocation was acknowledged.
    try {
      sync_dir(file_.has_parent_path() ? file_.parent_path() : std::filesystem::path("."));
    } catch (...) {
      ::close(fd_);
      throw;
    }
  }
}

RevocationLedger::~RevocationLedger() {
  if (fd_ >= 0) ::close(fd_);
}

void RevocationLedger::append(std::string_view frames) {
  write_all(fd_, frames, file_);
}

void RevocationLedger::sync(const SyncFn& sync) {
  sync_fd(fd_, sync, file_);
}

std::vector<LedgerEntry> read_ledger(const std::filesystem::path& file) {
  std::vector<LedgerEntry> entries;
  std::string bytes;
  if (!read_file(file, bytes)) return entries;
  FrameScan scan = scan_frames(bytes);
  if (scan.end == FrameScan::End::corrupt) bad_entry(file, scan.bad_offset, scan.problem);
  entries.reserve(scan.frames.size());
  for (const Frame& frame : scan.frames) entries.push_back(decode_entry(file, frame));
  return entries;
}

}  // namespace fathom::store
