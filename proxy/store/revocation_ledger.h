// The revocation ledger: an append-only file of every revocation (token id, secret hash, time),
// kept outside the store's directory so that `fathom-auth restore`, which replaces the store's
// contents, never rolls a revocation back. The daemon keeps it at <state_dir>/revocation-ledger.
//
// Framed like the journal (frame.h), one JSON record per revocation:
//   {"op":"revoked","token_id":"tok_…","secret_hash":"…","revoked_at":N}
// No header: the records mean the same under any key, and restore matches by token id as well as
// by hash. FileStore appends and syncs a revocation here before it acknowledges it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "fathom/token_store.h"
#include "store/file_io.h"

namespace fathom::store {

inline constexpr const char* kRevocationLedgerName = "revocation-ledger";

struct LedgerEntry {
  std::string token_id;
  std::string secret_hash;
  UnixTime revoked_at = 0;
};

std::string ledger_payload(const LedgerEntry& entry);

class RevocationLedger {
 public:
  // Opens `file` for appending, creating it (mode 0600, and its directory) if missing. A torn
  // last write is cut off; any other damage throws StoreError naming the byte offset.
  RevocationLedger(std::filesystem::path file, const SyncFn& sync);
  ~RevocationLedger();
  RevocationLedger(const RevocationLedger&) = delete;
  RevocationLedger& operator=(const RevocationLedger&) = delete;

  // Appends already-framed records; sync() makes them durable. Both throw StoreError.
  void append(std::string_view frames);
  void sync(const SyncFn& sync);

  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  int fd_ = -1;
};

// Every entry of the ledger at `file`, oldest first; none if the file does not exist. Reads
// without any lock: a torn last write (an append in progress, or a crash) is left out. Any other
// damage throws StoreError.
std::vector<LedgerEntry> read_ledger(const std::filesystem::path& file);

}  // namespace fathom::store
