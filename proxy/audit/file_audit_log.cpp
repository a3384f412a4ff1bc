// FileAuditLog: opening (index scan, torn tail, interrupted prune), recording and queries. The
// writer thread is in file_audit_log_writer.cpp.
#include "audit/file_audit_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "audit/anchor.h"
#include "audit/audit_cursor.h"
#include "audit/audit_error.h"
#include "audit/stored_line.h"
#include "ops/log.h"

namespace fathom::audit {
namespace {

constexpr uint64_t kMinSegmentBytes = 4096;
constexpr uint64_t kMaxSegmentBytes = 1ull << 30;
constexpr size_t kMaxLimit = 1000;

void check_options(const FileAuditLogOptions& o) {
  if (o.segment_bytes < kMinSegmentBytes || o.segment_bytes > kMaxSegmentBytes) {
    throw AuditError("audit segment size must be between 4 KiB and 1 GiB");
  }
  if (o.flush_interval.count() <= 0 || o.flush_interval.count() > 1000) {
    throw AuditError("audit flush interval must be between 1 ms and 1000 ms");
  }
}

void make_private_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return;
  if (!dir.parent_path().empty()) std::filesystem::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    fail_io(dir, "cannot create the audit directory", errno);
  }
}

}  // namespace

FileAuditLog::FileAuditLog(std::filesystem::path dir, FileAuditLogOptions options)
    : dir_(std::move(dir)), options_(std::move(options)) {
  check_options(options_);
  make_private_dir(dir_);
  const std::filesystem::path lock_file = dir_ / "lock";
  lock_fd_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) fail_io(lock_file, "cannot open", errno);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(lock_fd_);
    if (err == EWOULDBLOCK) {
      throw AuditLockedError(dir_.string() + ": another process is already writing this audit log");
    }
    fail_io(lock_file, "cannot lock", err);
  }
  try {
    open_segments();
  } catch (...) {
    for (Segment& s : segments_) ::close(s.fd);
    if (active_fd_ >= 0) ::close(active_fd_);
    ::close(lock_fd_);
    throw;
  }
  writer_ = std::thread([this] { writer_loop(); });
}

FileAuditLog::~FileAuditLog() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_one();
  writer_.join();
  if (active_fd_ >= 0) ::close(active_fd_);
  for (Segment& s : segments_) ::close(s.fd);
  ::close(lock_fd_);
}

void FileAuditLog::open_segments() {
  const std::optional<Anchor> anchor = read_anchor(dir_);
  const std::vector<SegmentFile> files = list_segments(dir_);
  for (size_t i = 0; i < files.size(); ++i) {
    Segment seg;
    seg.number = files[i].number;
    seg.fd = ::open(files[i].path.c_str(), O_RDONLY | O_CLOEXEC);
    if (seg.fd < 0) fail_io(files[i].path, "cannot open", errno);
    segments_.push_back(seg);
    scan_segment(segments_.back(), files[i].path, i + 1 == files.size());
  }
  if (anchor) finish_interrupted_prune(anchor->first_seq);

  if (!index_.empty()) {
    next_seq_ = index_.last_seq() + 1;
  } else if (anchor) {
    next_seq_ = anchor->first_seq;
    last_hash_ = anchor->prev_hash;
  } else {
    last_hash_ = zero_hash();
  }
  if (segments_.empty()) {
    open_active(1, /*create=*/true);
  } else {
    open_active(segments_.back().number, /*create=*/false);
  }
}

// Reads the whole segment once and indexes each line from its fixed prefix; only the last line
// of the log is hashed, to continue the chain. Checking every hash is verify_audit's job.
void FileAuditLog::scan_segment(Segment& seg, const std::filesystem::path& file, bool last) {
  std::string bytes;
  read_whole_file(file, bytes);
  const auto where = [&](size_t pos) { return file.string() + " at byte " + std::to_string(pos); };
  size_t pos = 0;
  bool gap_logged = false;
  std::string_view last_line;
  while (pos < bytes.size()) {
    const size_t nl = bytes.find('\n', pos);
    if (nl == std::string::npos) {
      if (!last) {
        throw AuditError(where(pos) +
                         ": the segment ends in an incomplete line, yet a later "
                         "segment exists; run `fathom-auth audit verify`");
      }
      // A write cut short by a crash: nothing in it was acknowledged as durable.
      if (::truncate(file.c_str(), static_cast<off_t>(pos)) != 0) {
        fail_io(file, "cannot truncate the incomplete last line", errno);
      }
      log::warn(
          "audit_torn_tail_truncated",
          {{"file", file.string()}, {"bytes", static_cast<unsigned long>(bytes.size() - pos)}});
      bytes.resize(pos);
      break;
    }
    const std::string_view line(bytes.data() + pos, nl - pos);
    const std::optional<LineKey> key = scan_line_key(line);
    if (!key) {
      throw AuditError(where(pos) + ": not an audit event; run `fathom-auth audit verify`");
    }
    if (!index_.empty() && key->seq <= index_.last_seq()) {
      throw AuditError(where(pos) + ": seq " + std::to_string(key->seq) + " does not follow seq " +
                       std::to_string(index_.last_seq()) + "; run `fathom-auth audit verify`");
    }
    if (!index_.empty() && key->seq != index_.last_seq() + 1 && !gap_logged) {
      log::warn("audit_seq_gap", {{"file", file.string()},
                                  {"after_seq", static_cast<unsigned long>(index_.last_seq())},
                                  {"seq", static_cast<unsigned long>(key->seq)}});
      gap_logged = true;
    }
    index_.add(key->seq, key->time, key->token_id(), seg.number, static_cast<uint32_t>(pos),
               static_cast<uint32_t>(line.size()));
    if (seg.first_seq == 0) {
      seg.first_seq = key->seq;
      seg.max_time = key->time;
    }
    seg.last_seq = key->seq;
    seg.max_time = std::max(seg.max_time, key->time);
    pos = nl + 1;
    last_line = line;
  }
  if (!last_line.empty()) last_hash_ = sha256_hex(last_line);
  seg.bytes = bytes.size();
}

// A prune writes its anchor before deleting segments; a crash in between leaves segments that
// are wholly below the anchor. They were meant to go, so they go now.
void FileAuditLog::finish_interrupted_prune(uint64_t anchor_first_seq) {
  while (segments_.size() > 1 && segments_.front().last_seq != 0 &&
         segments_.front().last_seq < anchor_first_seq) {
    const std::filesystem::path file = segment_path(segments_.front().number);
    ::close(segments_.front().fd);
    segments_.erase(segments_.begin());
    index_.drop_below(segments_.front().first_seq == 0 ? anchor_first_seq
                                                       : segments_.front().first_seq);
    if (::unlink(file.c_str()) != 0) fail_io(file, "cannot delete a pruned segment", errno);
    log::info("audit_prune_finished", {{"file", file.string()}});
  }
}

void FileAuditLog::open_active(uint32_t number, bool create) {
  const std::filesystem::path file = segment_path(number);
  int flags = O_WRONLY | O_APPEND | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0);
  int fd = ::open(file.c_str(), flags, 0600);
  if (fd < 0) fail_io(file, create ? "cannot create" : "cannot open", errno);
  if (!create) {
    active_fd_ = fd;
    return;
  }
  int read_fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (read_fd < 0) {
    int err = errno;
    ::close(fd);
    fail_io(file, "cannot open", err);
  }
  try {
    sync_dir(dir_);
  } catch (...) {
    ::close(fd);
    ::close(read_fd);
    throw;
  }
  active_fd_ = fd;
  Segment seg;
  seg.number = number;
  seg.fd = read_fd;
  std::unique_lock lock(index_mu_);
  segments_.push_back(seg);
}

std::filesystem::path FileAuditLog::segment_path(uint32_t number) const {
  return dir_ / segment_name(number);
}

void FileAuditLog::record(AuditEvent event) {
  if (failed_) {
    log_loss(1);
    return;
  }
  bool wake;
  {
    std::lock_guard lock(queue_mu_);
    queue_.push_back(Pending{std::move(event), {}});
    wake = queue_.size() == kWakeAt;
  }
  if (wake) queue_cv_.notify_one();
}

void FileAuditLog::record_durable(AuditEvent event, std::function<void(bool durable)> done) {
  {
    std::lock_guard lock(queue_mu_);
    queue_.push_back(Pending{std::move(event), std::move(done)});
    urgent_ = true;
  }
  queue_cv_.notify_one();
}

bool FileAuditLog::ready() {
  return !failed_;
}

void FileAuditLog::quiesce() {
  if (std::this_thread::get_id() == writer_.get_id()) return;  // a callback asking: nothing runs
  std::unique_lock lock(queue_mu_);
  // Whatever is queued now goes into the next batch the writer takes; wake it for that batch.
  const uint64_t target = batches_started_ + (queue_.empty() ? 0 : 1);
  if (!queue_.empty()) {
    urgent_ = true;
    queue_cv_.notify_one();
  }
  batch_cv_.wait(lock, [&] { return batches_finished_ >= target; });
}

uint64_t FileAuditLog::prune(UnixTime now) {
  std::lock_guard call(prune_call_mu_);
  PruneRequest request;
  request.now = now;
  std::unique_lock lock(queue_mu_);
  if (stopping_) return 0;
  prune_ = &request;
  urgent_ = true;
  queue_cv_.notify_one();
  prune_cv_.wait(lock, [&] { return request.done; });
  return request.pruned;
}

const FileAuditLog::Segment* FileAuditLog::segment_locked(uint32_t number) const {
  const auto it = std::lower_bound(segments_.begin(), segments_.end(), number,
                                   [](const Segment& s, uint32_t n) { return s.number < n; });
  return it != segments_.end() && it->number == number ? &*it : nullptr;
}

bool FileAuditLog::read_event(const IndexEntry& entry, AuditEvent& out) const {
  const Segment* seg = segment_locked(entry.segment);
  std::string line(entry.length, '\0');
  std::string why = "its segment is gone";
  if (seg) {
    size_t got = 0;
    while (got < line.size()) {
      ssize_t n = ::pread(seg->fd, line.data() + got, line.size() - got,
                          static_cast<off_t>(entry.offset + got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    why = got == line.size() ? "" : "the file is shorter than the index says";
    if (why.empty()) {
      if (std::optional<StoredEvent> stored = parse_stored_line(line, &why)) {
        out = std::move(stored->event);
        return true;
      }
    }
  }
  log::error("audit_event_unreadable", {{"file", segment_path(entry.segment).string()},
                                        {"offset", static_cast<unsigned long>(entry.offset)},
                                        {"error", why}});
  return false;
}

void FileAuditLog::query(const AuditQuery& query,
                         const std::function<void(AuditStatus, AuditPage)>& done) {
  IndexFilter filter;
  filter.token_id = query.token_id;
  filter.since = query.since;
  filter.until = query.until;
  if (!query.cursor.empty()) {
    const std::optional<uint64_t> below = decode_cursor(query.cursor);
    if (!below) return done(AuditStatus::bad_cursor, {});
    filter.below = *below;
  }
  if (failed_) return done(AuditStatus::unavailable, {});
  const size_t limit = std::clamp<size_t>(query.limit, 1, kMaxLimit);

  AuditPage page;
  {
    std::shared_lock lock(index_mu_);
    // One more than the page: whether it exists decides if there is a next page.
    const std::vector<uint64_t> seqs = index_.select(filter, limit + 1);
    const size_t n = std::min(limit, seqs.size());
    page.events.resize(n);
    for (size_t i = 0; i < n; ++i) {
      const IndexEntry* entry = index_.find(seqs[i]);
      if (!entry || !read_event(*entry, page.events[i])) {
        lock.unlock();
        return done(AuditStatus::unavailable, {});
      }
    }
    if (seqs.size() > limit) page.next_cursor = encode_cursor(seqs[limit - 1]);
  }
  done(AuditStatus::ok, std::move(page));
}

void FileAuditLog::log_loss(size_t events) {
  if (!loss_logged_.exchange(true)) {
    log::error("audit_events_lost",
               {{"events", static_cast<unsigned long>(events)},
                {"error",
                 "the audit log has stopped writing; events are not recorded until "
                 "the daemon restarts"}});
  }
}

}  // namespace fathom::audit
