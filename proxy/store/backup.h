// Backup and restore of the embedded store (`fathom-auth backup` and `fathom-auth restore`).
//
// A backup file has the snapshot's layout (snapshot.h): a header naming the token-hash key's
// fingerprint, one put record per token, an end record with the count. It holds every token
// record (hashes only, never a secret) and no pair codes: a code is short-lived and single use,
// and bringing one back could let it be redeemed twice.
//
// Restore replaces the store's contents atomically: one journal, renamed into place, that starts
// with a reset record (forget the snapshot) followed by the backup's tokens; then it compacts to
// a fresh snapshot and an empty journal. A crash at any point leaves either the old store or the
// restored one. Before writing, it applies the revocation ledger (revocation_ledger.h), which
// lives outside the store's directory: a token revoked after the backup was taken stays revoked.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace fathom::store {

struct BackupReport {
  size_t tokens = 0;            // token records written to the backup
  std::string key_fingerprint;  // of the token-hash key the store (and so the backup) is under
  int attempts = 1;             // reads needed for a consistent view (see backup_store)
};

// Writes a consistent backup of the store in `store_dir` to `out` (mode 0600; a temporary file
// beside it, synced, then renamed over `out`), while a daemon may hold the store open and keep
// writing. Takes no lock and writes nothing in `store_dir`: it reads the snapshot, then the
// journal, and checks that no compaction replaced the snapshot meanwhile (the pair it read is one
// the store could have been in), retrying if one did. A torn journal tail (a write in progress)
// is left out: that write had not been acknowledged when the read began. With a non-empty
// `expected_fingerprint`, refuses a store written under another key. Throws StoreError.
BackupReport backup_store(const std::filesystem::path& store_dir, const std::filesystem::path& out,
                          std::string_view expected_fingerprint = {});

struct RestoreReport {
  size_t tokens_restored = 0;
  size_t kept_revoked = 0;        // tokens active in the backup that the ledger keeps revoked
  size_t pair_codes_dropped = 0;  // pair codes found in the backup; never restored
};

// Offline: takes the store's lock, so it fails while the daemon runs ("the daemon is running (pid
// N holds <dir>/lock); stop it first"). Refuses a backup written under a key other than
// `key_fingerprint` (its hashes would match no token) and a damaged or incomplete backup, before
// touching the store. Every backup token whose id or secret hash is in the ledger at
// `ledger_path` (empty: none) is restored revoked, at the ledger's time. The store's pair codes,
// pending or not, are all dropped. Creates `store_dir` if missing. Throws StoreError.
RestoreReport restore_store(const std::filesystem::path& store_dir,
                            const std::filesystem::path& backup,
                            const std::filesystem::path& ledger_path,
                            std::string_view key_fingerprint);

}  // namespace fathom::store
