#include "store/backup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <unordered_map>
#include <vector>

#include "store/backup_reader.h"
#include "store/file_io.h"
#include "store/frame.h"
#include "store/journal.h"
#include "store/pair_code_index.h"
#include "store/replay.h"
#include "store/revocation_ledger.h"
#include "store/snapshot.h"
#include "store/store_error.h"
#include "store/store_lock.h"
#include "store/token_codec.h"
#include "store/token_index.h"

namespace fathom::store {
namespace {

// A compaction runs after thousands of writes; several in a row during one read means something
// is wrong rather than busy.
constexpr int kBackupAttempts = 8;

SyncFn data_sync() {
  return [](int fd) { return ::fdatasync(fd); };
}

struct StoreView {
  TokenIndex tokens;
  PairCodeIndex pair_codes;
  std::string key_fingerprint;
};

// One read of snapshot then journal; nullopt when a compaction replaced the snapshot meanwhile.
//
// Why the check suffices: compaction renames a new snapshot into place before it replaces the
// journal, and replaying the old journal over the new snapshot gives the same state (see
// FileStore::compact). So a journal pairs correctly with the snapshot that was in place when it
// was opened. The snapshot read is still in place after the journal was opened (same inode, which
// cannot be reused while we hold it open), so it was in place then.
std::optional<StoreView> read_once(const std::filesystem::path& store_dir) {
  const std::filesystem::path snapshot_file = store_dir / kSnapshotName;
  const std::filesystem::path journal_file = store_dir / kJournalName;
  // Held open until the check below, so its inode cannot be reused by a later snapshot.
  OpenFile snapshot_handle(snapshot_file);
  const bool has_snapshot = snapshot_handle.open();
  std::string snapshot_bytes;
  FileIdentity snapshot_id;
  if (has_snapshot) {
    snapshot_id = snapshot_handle.identity();
    snapshot_bytes = snapshot_handle.read_all();
  }
  std::string journal_bytes;
  if (!read_file(journal_file, journal_bytes)) {
    if (!std::filesystem::exists(store_dir)) {
      throw StoreError(store_dir.string() + ": no such directory; is store.path right?");
    }
    throw StoreError(store_dir.string() + ": not a fathom-auth store (no journal)");
  }
  std::optional<FileIdentity> now = identity_of(snapshot_file);
  if (has_snapshot ? now != snapshot_id : now.has_value()) return std::nullopt;

  FrameScan journal = scan_frames(journal_bytes);
  if (journal.end == FrameScan::End::corrupt) {
    throw StoreError(journal_file.string() + ": corrupt record at byte " +
                     std::to_string(journal.bad_offset) + ": " + journal.problem);
  }
  FrameScan snapshot;
  if (has_snapshot) {
    snapshot = scan_frames(snapshot_bytes);
    if (snapshot.end != FrameScan::End::clean) {
      throw StoreError(snapshot_file.string() + ": corrupt record at byte " +
                       std::to_string(snapshot.bad_offset) + ": " + snapshot.problem);
    }
  }
  StoreView view;
  view.key_fingerprint = header_fingerprint(journal.frames);
  if (view.key_fingerprint.empty()) view.key_fingerprint = header_fingerprint(snapshot.frames);
  if (view.key_fingerprint.empty()) {
    throw StoreError(journal_file.string() + ": no header; not a fathom-auth store");
  }
  // replay_frames checks that both headers name this same key.
  ReplayContext ctx{store_dir, view.key_fingerprint};
  if (has_snapshot) {
    replay_frames(ctx, snapshot_file, FileKind::snapshot, snapshot.frames, view.tokens,
                  view.pair_codes);
  }
  if (!journal.frames.empty()) {
    replay_frames(ctx, journal_file, FileKind::journal, journal.frames, view.tokens,
                  view.pair_codes);
  }
  return view;
}

// The backup's tokens, checked against `key_fingerprint` before anything is replaced.
StoreView read_backup(const std::filesystem::path& backup, std::string_view key_fingerprint) {
  std::string bytes;
  if (!read_file(backup, bytes)) throw StoreError(backup.string() + ": no such file");
  BackupContents contents = read_backup_bytes(bytes, backup, key_fingerprint);
  return StoreView{std::move(contents.tokens), std::move(contents.pair_codes),
                   std::move(contents.key_fingerprint)};
}

// Marks revoked every active token the ledger names (by id or by hash), at the ledger's earliest
// time for it; returns how many.
size_t apply_ledger(std::vector<TokenRecord>& tokens, const std::vector<LedgerEntry>& ledger) {
  std::unordered_map<std::string, UnixTime> by_id;
  std::unordered_map<std::string, UnixTime> by_hash;
  auto earliest = [](std::unordered_map<std::string, UnixTime>& map, const std::string& key,
                     UnixTime t) {
    auto [it, inserted] = map.emplace(key, t);
    if (!inserted) it->second = std::min(it->second, t);
  };
  for (const LedgerEntry& e : ledger) {
    earliest(by_id, e.token_id, e.revoked_at);
    if (!e.secret_hash.empty()) earliest(by_hash, e.secret_hash, e.revoked_at);
  }
  size_t kept = 0;
  for (TokenRecord& t : tokens) {
    if (t.revoked()) continue;
    std::optional<UnixTime> when;
    if (auto it = by_id.find(t.token_id); it != by_id.end()) when = it->second;
    if (auto it = by_hash.find(t.secret_hash); it != by_hash.end()) {
      when = when ? std::min(*when, it->second) : it->second;
    }
    if (!when) continue;
    t.revoked_at = when;
    ++kept;
  }
  return kept;
}

std::filesystem::path prepare_store_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw StoreError(dir.string() + ": cannot create the store directory: " + errno_text(errno));
  }
  return dir;
}

}  // namespace

BackupReport backup_store(const std::filesystem::path& store_dir, const std::filesystem::path& out,
                          std::string_view expected_fingerprint) {
  BackupReport report;
  std::optional<StoreView> view;
  for (report.attempts = 1; report.attempts <= kBackupAttempts; ++report.attempts) {
    view = read_once(store_dir);
    if (view) break;
  }
  if (!view) {
    throw StoreError(store_dir.string() + ": the store was compacted during each of " +
                     std::to_string(kBackupAttempts) + " reads; try again");
  }
  if (!expected_fingerprint.empty() && view->key_fingerprint != expected_fingerprint) {
    throw StoreError(
        store_dir.string() + ": this store was written with another token-hash.key (fingerprint " +
        view->key_fingerprint + ", this key is " + std::string(expected_fingerprint) + ")");
  }
  std::vector<TokenRecord> tokens = view->tokens.all();
  std::filesystem::path dir = out.has_parent_path() ? out.parent_path() : ".";
  replace_file(dir, out.filename().string(), snapshot_bytes(view->key_fingerprint, tokens, {}),
               data_sync(), /*keep_open=*/false);
  report.tokens = tokens.size();
  report.key_fingerprint = view->key_fingerprint;
  return report;
}

RestoreReport restore_store(const std::filesystem::path& store_dir,
                            const std::filesystem::path& backup,
                            const std::filesystem::path& ledger_path,
                            std::string_view key_fingerprint) {
  // Everything that can refuse is read and checked before the store is touched.
  StoreView restored = read_backup(backup, key_fingerprint);
  std::vector<LedgerEntry> ledger;
  if (!ledger_path.empty()) ledger = read_ledger(ledger_path);

  RestoreReport report;
  std::vector<TokenRecord> tokens = restored.tokens.all();
  report.kept_revoked = apply_ledger(tokens, ledger);
  report.tokens_restored = tokens.size();
  report.pair_codes_dropped = restored.pair_codes.size();

  prepare_store_dir(store_dir);
  std::optional<StoreLock> lock;
  try {
    lock.emplace(store_dir);
  } catch (const StoreLockedError& e) {
    throw StoreError("the daemon is running (pid " + e.holder_pid() + " holds " +
                     (store_dir / "lock").string() + "); stop it first");
  }
  std::error_code ec;
  std::filesystem::remove(store_dir / (std::string(kSnapshotName) + ".tmp"), ec);
  std::filesystem::remove(store_dir / (std::string(kJournalName) + ".tmp"), ec);

  const SyncFn sync = data_sync();
  const ReplayContext ctx{store_dir, key_fingerprint};
  // The switch: one rename makes the restored tokens the store's state, whatever the snapshot
  // holds (the reset record discards it on replay).
  std::string records;
  append_frame(records, reset_payload());
  for (const TokenRecord& t : tokens) append_frame(records, put_payload(t));
  start_new_journal(ctx, sync, records, tokens.size() + 1).reset();
  // Then the compaction path, so the store reads as any compacted one: the old snapshot (which
  // may be damaged, or under another key) goes, a fresh one comes, the journal empties.
  std::filesystem::remove(store_dir / kSnapshotName, ec);
  if (ec) {
    throw StoreError((store_dir / kSnapshotName).string() + ": cannot remove: " + ec.message());
  }
  sync_dir(store_dir);
  write_snapshot(ctx, tokens, {}, sync);
  start_new_journal(ctx, sync).reset();
  return report;
}

}  // namespace fathom::store
