// The embedded token store: every token and pair code in memory, every change in an append-only
// journal that is synced before the change is acknowledged, and a snapshot that compaction
// rewrites.
//
//   <dir>/lock      flock held for the store's life; holds the pid of the holder
//   <dir>/journal   header, then one record per write (see token_codec.h and frame.h)
//   <dir>/snapshot  header, one record per token and pair code, end record; absent until the
//                   first compaction
//   ledger_path     the revocation ledger (revocation_ledger.h), outside <dir> on purpose
//
// Threads. Reads run on the caller's thread against the in-memory index under a shared lock.
// Writes are queued to one writer thread, which applies every queued write to the index, appends
// their records, syncs once (group commit) and then runs the callbacks and the subscribers, on
// the writer thread. A failed write or sync stops the writer for good: ready() turns false and
// every write from then on answers `unavailable`; a restart replays what is on disk. Because a
// write is applied before its sync, a reader may see it a moment before it is acknowledged (a
// token revoked in memory but not yet on disk): harmless, as no caller has been answered yet.
//
// Callbacks must not throw (an exception is logged and dropped). find_by_hash and get call
// `done` while holding the index's shared lock: calling touch(), create(), revoke() or rotate()
// from inside is fine, calling compact_now() or another read from inside is not.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "fathom/token_store.h"
#include "store/file_io.h"
#include "store/journal.h"
#include "store/pair_code_index.h"
#include "store/replay.h"
#include "store/revocation_ledger.h"
#include "store/store_error.h"
#include "store/store_lock.h"
#include "store/token_index.h"

namespace fathom::store {

struct FileStoreOptions {
  // Compaction starts when the journal grows past either limit.
  uint64_t compact_after_bytes = 4u << 20;
  uint64_t compact_after_records = 10000;
  // How often coalesced touches are written (and at shutdown). The API promises last_used_at
  // lags by at most 60 s; a few seconds keeps the lag small without a sync per request.
  std::chrono::milliseconds touch_flush_interval{5000};
  // Syncs a file's data (default fdatasync). Tests replace it to make a sync fail.
  SyncFn sync;
  // The revocation ledger: every revoke is appended and synced here before it is acknowledged.
  // The daemon passes <state_dir>/revocation-ledger; empty means no ledger.
  std::filesystem::path ledger_path;
  // Compaction forgets pair codes that were redeemed, cancelled or expired longer ago than this
  // (by the wall clock), so the snapshot does not grow with every code ever made. A forgotten
  // code redeems like an unknown one: invalid_grant.
  std::chrono::seconds pair_code_retention{24 * 60 * 60};
};

class FileStore final : public TokenStore {
 public:
  // Opens (creating, mode 0700, if missing) the store in `dir`, written under the token-hash key
  // with `key_fingerprint`. Throws StoreError: the store is locked by another process or
  // FileStore, was written with another key, or is damaged anywhere but a torn last write.
  FileStore(std::filesystem::path dir, std::string key_fingerprint, FileStoreOptions options = {});
  // Completes every queued write, writes pending touches, stops the writer, releases the lock.
  ~FileStore() override;
  FileStore(const FileStore&) = delete;
  FileStore& operator=(const FileStore&) = delete;

  void find_by_hash(std::string_view secret_hash,
                    const std::function<void(StoreStatus, const TokenRecord*)>& done) override;
  void get(std::string_view token_id,
           const std::function<void(StoreStatus, const TokenRecord*)>& done) override;
  void list(const std::function<void(StoreStatus, std::vector<TokenRecord>)>& done) override;
  bool ready() override;

  void create(TokenRecord record, std::function<void(StoreResult)> done) override;
  void revoke(std::string_view token_id, UnixTime now,
              std::function<void(StoreResult)> done) override;
  // Rotation is judged at `replacement.created_at`: the old token must be active then.
  void rotate(std::string_view token_id, TokenRecord replacement,
              std::optional<UnixTime> old_expires_at,
              std::function<void(StoreResult)> done) override;
  void expire(std::string_view token_id, UnixTime now,
              std::function<void(StoreResult)> done) override;
  void touch(std::string_view token_id, UnixTime when) override;
  void list_pair_codes(
      UnixTime now,
      const std::function<void(StoreStatus, std::vector<PairCodeRecord>)>& done) override;
  void create_pair_code(PairCodeRecord code, std::function<void(StoreResult)> done) override;
  void cancel_pair_code(std::string_view pair_code_id, UnixTime now,
                        std::function<void(StoreResult)> done) override;
  void redeem_pair_code(std::string_view code_hash, TokenRecord token,
                        std::function<void(StoreResult)> done) override;
  void subscribe(std::function<void(const Invalidation&)> on_invalidated) override;

  // Writes a snapshot and starts a new journal now; returns once done. Not from a callback.
  void compact_now();
  void quiesce() override;

 private:
  // A queued write, or a request to compact.
  struct Op {
    enum class Kind {
      create,
      revoke,
      rotate,
      expire,
      create_pair_code,
      cancel_pair_code,
      redeem_pair_code,
      compact
    };
    Kind kind = Kind::create;
    std::string target;  // revoke, rotate, expire: token id; cancel: pair code id; redeem: hash
    TokenRecord record;  // create; rotate: the replacement; redeem: the new token
    PairCodeRecord pair_code;  // create_pair_code
    UnixTime now = 0;          // revoke, expire, cancel_pair_code
    std::optional<UnixTime> old_expires_at;
    std::function<void(StoreResult)> done;
  };
  struct Answer {
    std::function<void(StoreResult)> done;
    StoreResult result;
  };

  void enqueue(Op op);
  void writer_loop();
  void run_batch(std::vector<Op>& ops);
  void flush_touches();
  void compact();
  bool journal_too_big() const;
  void absorb_touches_locked();
  void stop_writing(std::string_view step, const StoreError& error);
  void deliver(const TokenRecord* record,
               const std::function<void(StoreStatus, const TokenRecord*)>& done);
  void notify_invalidated(const std::vector<Invalidation>& invalidated);

  const std::filesystem::path dir_;
  const std::string key_fingerprint_;
  const FileStoreOptions options_;
  const SyncFn sync_;
  const ReplayContext ctx_;
  StoreLock lock_;  // taken before any other file is read; released last

  // The indexes, under one lock so a redeem's check and both its changes are one step. Only the
  // writer thread changes them.
  std::shared_mutex index_mu_;
  TokenIndex index_;
  PairCodeIndex pair_codes_;

  // Touches wait here, newest time per token, until the writer moves them into the index. They
  // never take index_mu_, so touch() cannot wait behind a writer; reads lay them over the index.
  // Lock order: index_mu_, then touch_mu_.
  std::mutex touch_mu_;
  std::unordered_map<std::string, UnixTime, StringHash, std::equal_to<>> pending_touches_;

  // Writer thread only.
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<RevocationLedger> ledger_;           // null without options.ledger_path
  std::unordered_set<std::string> touched_unwritten_;  // in the index, not yet in the journal
  std::string failure_;                                // why the writer stopped

  std::atomic<bool> failed_{false};

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<Op> queue_;
  bool stopping_ = false;
  uint64_t batches_started_ = 0;  // guarded by queue_mu_
  uint64_t batches_finished_ = 0;
  std::condition_variable batch_cv_;

  std::mutex subscribers_mu_;
  std::vector<std::function<void(const Invalidation&)>> subscribers_;

  std::thread writer_;  // last: starts once everything above exists
};

}  // namespace fathom::store
