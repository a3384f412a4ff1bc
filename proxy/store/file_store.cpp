#include "store/file_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <future>
#include <system_error>
#include <utility>

#include "ops/log.h"
#include "store/frame.h"
#include "store/snapshot.h"
#include "store/token_codec.h"
#include "store/token_ops.h"

namespace fathom::store {
namespace {

std::filesystem::path prepare_dir(std::filesystem::path dir) {
  std::error_code ec;
  if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), ec);
  // 0700: the store holds every token's hash; nobody but the daemon's user needs to read it.
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw StoreError(dir.string() + ": cannot create the store directory: " + errno_text(errno));
  }
  return dir;
}

// Left behind by a crash during compaction; never part of the store's state.
void remove_temporary_files(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::remove(dir / "snapshot.tmp", ec);
  std::filesystem::remove(dir / "journal.tmp", ec);
}

}  // namespace

FileStore::FileStore(std::filesystem::path dir, std::string key_fingerprint,
                     FileStoreOptions options)
    : dir_(prepare_dir(std::move(dir))),
      key_fingerprint_(std::move(key_fingerprint)),
      options_(std::move(options)),
      sync_(options_.sync ? options_.sync : SyncFn([](int fd) { return ::fdatasync(fd); })),
      ctx_{dir_, key_fingerprint_},
      lock_(dir_) {
  remove_temporary_files(dir_);
  bool had_snapshot = load_snapshot(ctx_, index_, pair_codes_);
  journal_ = open_journal(ctx_, index_, pair_codes_, sync_);
  if (!options_.ledger_path.empty()) {
    ledger_ = std::make_unique<RevocationLedger>(options_.ledger_path, sync_);
  }
  log::info("store_opened", {{"path", dir_.string()},
                             {"tokens", static_cast<unsigned long>(index_.size())},
                             {"pair_codes", static_cast<unsigned long>(pair_codes_.size())},
                             {"snapshot", had_snapshot},
                             {"journal_records", static_cast<unsigned long>(journal_->records())}});
  writer_ = std::thread([this] { writer_loop(); });
}

FileStore::~FileStore() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_one();
  writer_.join();
}

// --- reads ---

void FileStore::deliver(const TokenRecord* record,
                        const std::function<void(StoreStatus, const TokenRecord*)>& done) {
  if (!record) {
    done(StoreStatus::not_found, nullptr);
    return;
  }
  std::optional<UnixTime> pending;
  {
    std::lock_guard lock(touch_mu_);
    if (auto it = pending_touches_.find(record->token_id); it != pending_touches_.end()) {
      pending = it->second;
    }
  }
  if (pending && (!record->last_used_at || *record->last_used_at < *pending)) {
    TokenRecord copy = *record;
    copy.last_used_at = pending;
    done(StoreStatus::ok, &copy);
    return;
  }
  done(StoreStatus::ok, record);
}

void FileStore::find_by_hash(std::string_view secret_hash,
                             const std::function<void(StoreStatus, const TokenRecord*)>& done) {
  std::shared_lock lock(index_mu_);
  deliver(index_.by_hash(secret_hash), done);
}

void FileStore::get(std::string_view token_id,
                    const std::function<void(StoreStatus, const TokenRecord*)>& done) {
  std::shared_lock lock(index_mu_);
  deliver(index_.by_id(token_id), done);
}

void FileStore::list(const std::function<void(StoreStatus, std::vector<TokenRecord>)>& done) {
  std::vector<TokenRecord> all;
  {
    std::shared_lock lock(index_mu_);
    all = index_.all();
    std::lock_guard touches(touch_mu_);
    for (TokenRecord& t : all) {
      auto it = pending_touches_.find(t.token_id);
      if (it != pending_touches_.end() && (!t.last_used_at || *t.last_used_at < it->second)) {
        t.last_used_at = it->second;
      }
    }
  }
  done(StoreStatus::ok, std::move(all));
}

bool FileStore::ready() {
  return !failed_.load();
}

// --- writes ---

void FileStore::enqueue(Op op) {
  {
    std::lock_guard lock(queue_mu_);
    queue_.push_back(std::move(op));
  }
  queue_cv_.notify_one();
}

void FileStore::create(TokenRecord record, std::function<void(StoreResult)> done) {
  Op op;
  op.kind = Op::Kind::create;
  op.record = std::move(record);
  op.done = std::move(done);
  enqueue(std::move(op));
}

void FileStore::revoke(std::string_view token_id, UnixTime now,
                       std::function<void(StoreResult)> done) {
  Op op;
  op.kind = Op::Kind::revoke;
  op.target = token_id;
  op.now = now;
  op.done = std::move(done);
  enqueue(std::move(op));
}

void FileStore::rotate(std::string_view token_id, TokenRecord replacement,
                       std::optional<UnixTime> old_expires_at,
                       std::function<void(StoreResult)> done) {
  Op op;
  op.kind = Op::Kind::rotate;
  op.target = token_id;
  op.record = std::move(replacement);
  op.old_expires_at = old_expires_at;
  op.done = std::move(done);
  enqueue(std::move(op));
}

void FileStore::expire(std::string_view token_id, UnixTime now,
                       std::function<void(StoreResult)> done) {
  Op op;
  op.kind = Op::Kind::expire;
  op.target = token_id;
  op.now = now;
  op.done = std::move(done);
  enqueue(std::move(op));
}

void FileStore::touch(std::string_view token_id, UnixTime when) {
  // On the request path: one short lock, no index lock, no I/O.
  std::lock_guard lock(touch_mu_);
  auto it = pending_touches_.find(token_id);
  if (it == pending_touches_.end()) {
    pending_touches_.emplace(std::string(token_id), when);
  } else if (it->second < when) {
    it->second = when;
  }
}

// --- pair codes ---

void FileStore::list_pair_codes(
    UnixTime now, const std::function<void(StoreStatus, std::vector<PairCodeRecord>)>& done) {
  std::vector<PairCodeRecord> pending;
  {
    std::shared_lock lock(index_mu_);
    pending = pair_codes_.pending(now);
  }
  done(StoreStatus::ok, std::move(pending));
}

void FileStore::create_pair_code(PairCodeRecord code, std::function<void(StoreResult)> done) {
  Op op;
  op.kind = Op::Kind::create_pair_code;
  op.pair_code = std::move(code);
  op.done = std::move(done);
  enqueue(std::move(op));
}

void FileStore::cancel_pair_code(std::string_view pair_code_id, UnixTime now,
                                 std::function<void(StoreResult)> done) {
  Op op;
  op.kind = Op::Kind::cancel_pair_code;
  op.target = pair_code_id;
  op.now = now;
  op.done = std::move(done);
  enqueue(std::move(op));
}

void FileStore::redeem_pair_code(std::string_view code_hash, TokenRecord token,
                                 std::function<void(StoreResult)> done) {
  Op op;
  op.kind = Op::Kind::redeem_pair_code;
  op.target = code_hash;
  op.record = std::move(token);
  op.done = std::move(done);
  enqueue(std::move(op));
}

void FileStore::quiesce() {
  if (std::this_thread::get_id() == writer_.get_id()) return;  // a callback asking: nothing runs
  std::unique_lock lock(queue_mu_);
  const uint64_t target = batches_started_;
  batch_cv_.wait(lock, [&] { return batches_finished_ >= target; });
}

void FileStore::subscribe(std::function<void(const Invalidation&)> on_invalidated) {
  std::lock_guard lock(subscribers_mu_);
  subscribers_.push_back(std::move(on_invalidated));
}

void FileStore::compact_now() {
  std::promise<void> compacted;
  std::future<void> finished = compacted.get_future();
  Op op;
  op.kind = Op::Kind::compact;
  op.done = [&compacted](const StoreResult&) { compacted.set_value(); };
  enqueue(std::move(op));
  finished.wait();
}

}  // namespace fathom::store
