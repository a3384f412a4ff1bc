// FileStore's writer thread: group commit, coalesced touches, compaction.
#include <algorithm>
#include <chrono>
#include <iterator>

#include "ops/log.h"
#include "store/file_store.h"
#include "store/frame.h"
#include "store/pair_code_ops.h"
#include "store/snapshot.h"
#include "store/token_codec.h"
#include "store/token_ops.h"

namespace fathom::store {
namespace {

// A flushed batch of touches is split so that no record grows with the number of tokens.
constexpr size_t kTouchesPerRecord = 500;

// A callback that throws must not take the writer thread (and every later write) down with it.
template <typename Fn>
void call_safely(std::string_view what, const Fn& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    log::error("store_callback_threw", {{"callback", what}, {"error", e.what()}});
  } catch (...) {
    log::error("store_callback_threw", {{"callback", what}});
  }
}

// One record per operation, so a rotation's two puts, or a redeem's code and token, are replayed
// together or not at all.
std::string journal_payload(const Applied& applied) {
  if (applied.pair_code_puts.empty()) {
    return applied.puts.size() == 1 ? put_payload(applied.puts.front()) : put_payload(applied.puts);
  }
  return put_payload(applied.puts, applied.pair_code_puts);
}

UnixTime wall_clock_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void FileStore::writer_loop() {
  using Clock = std::chrono::steady_clock;
  Clock::time_point next_flush = Clock::now() + options_.touch_flush_interval;
  for (;;) {
    std::vector<Op> batch;
    bool stopping;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait_until(lock, next_flush, [&] { return !queue_.empty() || stopping_; });
      batch.swap(queue_);
      stopping = stopping_;
      if (!batch.empty()) ++batches_started_;
    }
    if (!batch.empty()) {
      run_batch(batch);
      batch.clear();  // the callbacks (and the code they came from) are done with here
      std::lock_guard lock(queue_mu_);
      ++batches_finished_;
      batch_cv_.notify_all();
    }
    // Shutting down only once a look at the queue finds it empty: writes queued before the
    // destructor ran still complete.
    bool drained = stopping && batch.empty();
    if (drained || Clock::now() >= next_flush) {
      flush_touches();
      next_flush = Clock::now() + options_.touch_flush_interval;
    }
    if (!failed_ && journal_too_big()) compact();
    if (drained) return;
  }
}

void FileStore::run_batch(std::vector<Op>& ops) {
  std::vector<Answer> answers;
  std::vector<std::function<void(StoreResult)>> compaction_waiters;
  std::vector<Invalidation> invalidated;
  std::string frames;
  std::string ledger_frames;
  uint64_t records = 0;
  answers.reserve(ops.size());
  if (!failed_) {
    // Checks and changes under one write lock, in queue order: the last-admin rule holds
    // against every other write, and readers never see half of a rotation.
    std::unique_lock lock(index_mu_);
    absorb_touches_locked();
    for (Op& op : ops) {
      Applied applied;
      switch (op.kind) {
        case Op::Kind::compact:
          compaction_waiters.push_back(std::move(op.done));
          continue;
        case Op::Kind::create:
          applied = apply_create(index_, std::move(op.record));
          break;
        case Op::Kind::revoke:
          applied = apply_revoke(index_, pair_codes_, op.target, op.now);
          if (ledger_ && !applied.puts.empty()) {
            const TokenRecord& t = applied.puts.front();
            append_frame(ledger_frames, ledger_payload({t.token_id, t.secret_hash,
                                                        t.revoked_at.value_or(op.now)}));
          }
          break;
        case Op::Kind::rotate:
          applied = apply_rotate(index_, op.target, std::move(op.record), op.old_expires_at);
          break;
        case Op::Kind::expire:
          applied = apply_expire(index_, pair_codes_, op.target, op.now);
          break;
        case Op::Kind::create_pair_code:
          applied = apply_create_pair_code(pair_codes_, std::move(op.pair_code));
          break;
        case Op::Kind::cancel_pair_code:
          applied = apply_cancel_pair_code(pair_codes_, op.target, op.now);
          break;
        case Op::Kind::redeem_pair_code:
          applied = apply_redeem_pair_code(index_, pair_codes_, op.target, std::move(op.record));
          break;
      }
      if (!applied.puts.empty() || !applied.pair_code_puts.empty()) {
        append_frame(frames, journal_payload(applied));
        ++records;
      }
      std::move(applied.invalidated.begin(), applied.invalidated.end(),
                std::back_inserter(invalidated));
      answers.push_back(Answer{std::move(op.done), std::move(applied.result)});
    }
  } else {
    for (Op& op : ops) {
      if (op.kind == Op::Kind::compact) {
        compaction_waiters.push_back(std::move(op.done));
      } else {
        answers.push_back(Answer{std::move(op.done), {}});
      }
    }
  }

  // The ledger first: a revocation the ledger holds but the journal lost (a crash between the
  // two) only revokes again at a restore what was being revoked; the other order could let a
  // restore bring back a token whose revocation the store had already made durable.
  if (!ledger_frames.empty() && !failed_) {
    try {
      ledger_->append(ledger_frames);
      ledger_->sync(sync_);
    } catch (const StoreError& e) {
      stop_writing("revocation ledger write", e);
    }
  }
  if (!frames.empty() && !failed_) {
    try {
      journal_->append(frames, records);
    } catch (const StoreError& e) {
      stop_writing("write", e);
    }
  }
  if (!frames.empty() && !failed_) {
    try {
      journal_->sync(sync_);
    } catch (const StoreError& e) {
      stop_writing("fsync", e);
    }
  }
  if (failed_) {
    // Every answer in the batch was judged against changes that may not be on disk.
    for (Answer& a : answers)
      a.result = StoreResult{StoreStatus::unavailable, failure_, {}, {}, {}, {}};
  }
  // Even after a failure: the index already shows these tokens revoked, and caches should agree.
  notify_invalidated(invalidated);
  for (Answer& a : answers) call_safely("write", [&] { a.done(std::move(a.result)); });

  if (!compaction_waiters.empty()) {
    if (!failed_) compact();
    for (auto& done : compaction_waiters) call_safely("compaction", [&] { done(StoreResult{}); });
  }
}

void FileStore::absorb_touches_locked() {
  std::lock_guard lock(touch_mu_);
  for (const auto& [token_id, when] : pending_touches_) {
    if (index_.touch(token_id, when)) touched_unwritten_.insert(token_id);
  }
  pending_touches_.clear();
}

void FileStore::flush_touches() {
  if (failed_) return;
  std::string frames;
  uint64_t records = 0;
  {
    std::unique_lock lock(index_mu_);
    absorb_touches_locked();
    if (touched_unwritten_.empty()) return;
    std::vector<TokenRecord> chunk;
    for (const std::string& token_id : touched_unwritten_) {
      if (const TokenRecord* t = index_.by_id(token_id)) chunk.push_back(*t);
      if (chunk.size() == kTouchesPerRecord) {
        append_frame(frames, put_payload(chunk));
        ++records;
        chunk.clear();
      }
    }
    if (!chunk.empty()) {
      append_frame(frames, put_payload(chunk));
      ++records;
    }
    touched_unwritten_.clear();
  }
  // One sync for the whole flush; a touch never costs a sync of its own.
  try {
    journal_->append(frames, records);
  } catch (const StoreError& e) {
    stop_writing("write", e);
    return;
  }
  try {
    journal_->sync(sync_);
  } catch (const StoreError& e) {
    stop_writing("fsync", e);
  }
}

bool FileStore::journal_too_big() const {
  return journal_->bytes() > options_.compact_after_bytes ||
         journal_->records() > options_.compact_after_records;
}

// Crash safety. Replaying `snapshot` then `journal` must, at every instant, give a state that
// includes every acknowledged write. Puts carry whole records (and last_used_at never moves
// backwards), so replaying an old journal over a newer snapshot changes nothing: every token the
// journal mentions ends at its last put, which is what the snapshot holds. The order:
//   1. Every acknowledged write is already synced in the journal (only this thread writes).
//   2. snapshot.tmp is written and synced, then renamed over snapshot, then the directory is
//      synced. A crash before the rename leaves old snapshot + journal (complete; the stray .tmp
//      is deleted at start-up); after it, either snapshot + the full journal (complete, by the
//      argument above).
//   3. Only then is journal.tmp (a header alone) written, synced, renamed over journal, and the
//      directory synced. The snapshot's rename is already durable, so no crash can pair the new
//      journal with the old snapshot.
//   4. Writes resume on the new journal only after step 3's directory sync, so no write is
//      acknowledged into a file that a crash could still swap back.
void FileStore::compact() {
  try {
    std::vector<TokenRecord> all;
    std::vector<PairCodeRecord> codes;
    size_t dropped = 0;
    {
      std::unique_lock lock(index_mu_);
      absorb_touches_locked();
      all = index_.all();
      // Finished codes are kept a while (an operator may ask what became of one), then dropped.
      // A crash before the new journal replays the old one, which may bring a dropped code back:
      // harmless, it is finished either way.
      dropped =
          pair_codes_.drop_finished_before(wall_clock_now() - options_.pair_code_retention.count());
      codes = pair_codes_.all();
    }
    write_snapshot(ctx_, all, codes, sync_);
    touched_unwritten_.clear();  // the snapshot holds them
    uint64_t old_bytes = journal_->bytes();
    journal_ = start_new_journal(ctx_, sync_);
    log::info("store_compacted", {{"tokens", static_cast<unsigned long>(all.size())},
                                  {"pair_codes", static_cast<unsigned long>(codes.size())},
                                  {"pair_codes_dropped", static_cast<unsigned long>(dropped)},
                                  {"journal_bytes_before", static_cast<unsigned long>(old_bytes)}});
  } catch (const StoreError& e) {
    stop_writing("compaction", e);
  }
}

void FileStore::notify_invalidated(const std::vector<Invalidation>& invalidated) {
  if (invalidated.empty()) return;
  std::vector<std::function<void(const Invalidation&)>> subscribers;
  {
    std::lock_guard lock(subscribers_mu_);
    subscribers = subscribers_;
  }
  for (const Invalidation& inv : invalidated) {
    for (const auto& fn : subscribers) call_safely("subscriber", [&] { fn(inv); });
  }
}

void FileStore::stop_writing(std::string_view step, const StoreError& error) {
  failure_ = "the store stopped writing after a failed " + std::string(step) + ": " + error.what();
  failed_ = true;
  log::error("store_stopped_writing", {{"error", failure_}});
}

}  // namespace fathom::store
