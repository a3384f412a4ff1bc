// FileAuditLog's writer thread: batches, group commit, segment rotation, pruning.
#include <unistd.h>

#include <algorithm>

#include "audit/anchor.h"
#include "audit/audit_error.h"
#include "audit/file_audit_log.h"
#include "audit/stored_line.h"
#include "ops/log.h"

namespace fathom::audit {
namespace {

// Lines are written in chunks of about this size, so a burst never holds much memory twice.
constexpr size_t kWriteChunk = 1u << 20;
// A batch vector that grew past this during a burst is released instead of kept for reuse.
constexpr size_t kKeepCapacity = 1u << 16;
constexpr UnixTime kSecondsPerDay = 86400;

// A callback that throws must not take the writer thread (and every later event) down with it.
void call_safely(const std::function<void(bool)>& done, bool durable) {
  try {
    done(durable);
  } catch (const std::exception& e) {
    log::error("audit_callback_threw", {{"error", e.what()}});
  } catch (...) {
    log::error("audit_callback_threw");
  }
}

}  // namespace

void FileAuditLog::writer_loop() {
  using Clock = std::chrono::steady_clock;
  std::vector<Pending> batch;
  for (;;) {
    PruneRequest* prune = nullptr;
    bool stopping;
    {
      std::unique_lock lock(queue_mu_);
      // Woken early only for a durable event, a prune, a long queue or shutdown; otherwise the
      // queue is written once per interval, which bounds how late a request event is durable.
      queue_cv_.wait_until(lock, Clock::now() + options_.flush_interval,
                           [&] { return urgent_ || stopping_ || queue_.size() >= kWakeAt; });
      batch.swap(queue_);
      if (!batch.empty()) ++batches_started_;
      prune = prune_;
      prune_ = nullptr;
      urgent_ = false;
      stopping = stopping_;
    }
    const bool drained = stopping && batch.empty() && !prune;
    if (!batch.empty()) {
      write_batch(batch);
      batch.clear();  // the callbacks (and the code they came from) are done with here
      std::lock_guard lock(queue_mu_);
      ++batches_finished_;
      batch_cv_.notify_all();
    }
    if (batch.capacity() > kKeepCapacity) std::vector<Pending>().swap(batch);
    if (prune) {
      const uint64_t pruned = prune_now(prune->now);
      std::lock_guard lock(queue_mu_);
      prune->pruned = pruned;
      prune->done = true;
      prune_cv_.notify_all();
    }
    if (drained) return;
  }
}

void FileAuditLog::write_batch(std::vector<Pending>& batch) {
  if (!failed_) {
    std::string_view step = "write";
    try {
      for (Pending& p : batch) append_line(p.event);
      flush_buffer();
      step = "fsync";
      sync_fd(active_fd_, options_.sync, segment_path(segments_.back().number));
    } catch (const std::exception& e) {
      stop_writing(step, e);
    }
  }
  if (failed_) log_loss(batch.size());
  const bool durable = !failed_;
  for (Pending& p : batch) {
    if (p.done) call_safely(p.done, durable);
  }
}

void FileAuditLog::append_line(AuditEvent& event) {
  const size_t start = buffer_.size();
  append_stored_line(buffer_, next_seq_, last_hash_, event);
  const size_t length = buffer_.size() - start;
  Segment& active = segments_.back();
  if (active.bytes + buffer_.size() + 1 > options_.segment_bytes && active.bytes + start > 0) {
    // The line goes to a new segment; the chain runs on across the files unchanged.
    std::string line = buffer_.substr(start);
    buffer_.resize(start);
    rotate();
    buffer_ = std::move(line);
  }
  const std::string_view line(buffer_.data() + buffer_.size() - length, length);
  last_hash_ = sha256_hex(line);
  const uint64_t offset = segments_.back().bytes + buffer_.size() - length;
  buffer_ += '\n';
  staged_.push_back(Staged{next_seq_, event.time, std::move(event.token_id),
                           static_cast<uint32_t>(offset), static_cast<uint32_t>(length)});
  ++next_seq_;
  if (buffer_.size() >= kWriteChunk) flush_buffer();
}

void FileAuditLog::flush_buffer() {
  if (buffer_.empty()) return;
  write_all(active_fd_, buffer_, segment_path(segments_.back().number));
  // Indexed once written, a moment before the sync: a reader may see an event just before it is
  // durable, never one that is not in the file.
  std::unique_lock lock(index_mu_);
  Segment& active = segments_.back();
  for (Staged& s : staged_) {
    index_.add(s.seq, s.time, s.token_id, active.number, s.offset, s.length);
    if (active.first_seq == 0) {
      active.first_seq = s.seq;
      active.max_time = s.time;
    }
    active.last_seq = s.seq;
    active.max_time = std::max(active.max_time, s.time);
  }
  active.bytes += buffer_.size();
  lock.unlock();
  buffer_.clear();
  staged_.clear();
}

void FileAuditLog::rotate() {
  flush_buffer();
  const uint32_t number = segments_.back().number;
  sync_fd(active_fd_, options_.sync, segment_path(number));
  ::close(active_fd_);
  active_fd_ = -1;
  open_active(number + 1, /*create=*/true);
}

// Crash safety: the anchor is written (and synced) before any segment is deleted, so at every
// instant either the old segments are all there or the anchor says where the chain restarts.
// A crash between the two is finished at the next open (finish_interrupted_prune).
uint64_t FileAuditLog::prune_now(UnixTime now) {
  if (failed_ || options_.retain_days == 0) return 0;
  const UnixTime cutoff = now - static_cast<UnixTime>(options_.retain_days) * kSecondsPerDay;
  size_t count = 0;
  while (count + 1 < segments_.size() && segments_[count].last_seq != 0 &&
         segments_[count].max_time < cutoff) {
    ++count;
  }
  if (count == 0) return 0;
  const Segment& kept = segments_[count];
  const uint64_t first_kept = kept.first_seq != 0 ? kept.first_seq : next_seq_;
  try {
    std::string expected_prev;
    {
      std::shared_lock lock(index_mu_);
      const uint64_t last_pruned = first_kept - 1;
      const IndexEntry* entry = index_.find(last_pruned);
      std::string line(entry ? entry->length : 0, '\0');
      const Segment* seg = entry ? segment_locked(entry->segment) : nullptr;
      if (!seg || ::pread(seg->fd, line.data(), line.size(), entry->offset) !=
                      static_cast<ssize_t>(line.size())) {
        throw AuditError("cannot read event " + event_id_for(last_pruned) +
                         ", the last one to prune");
      }
      expected_prev = sha256_hex(line);
    }
    const uint64_t first_pruned = segments_.front().first_seq;
    write_anchor(dir_, Anchor{first_kept, expected_prev, now}, options_.sync);

    std::vector<std::filesystem::path> files;
    {
      std::unique_lock lock(index_mu_);
      for (size_t i = 0; i < count; ++i) {
        files.push_back(segment_path(segments_[i].number));
        ::close(segments_[i].fd);
      }
      segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(count));
      index_.drop_below(first_kept);
    }
    for (const auto& file : files) {
      // Left behind, a segment is deleted at the next open: the anchor already covers it.
      if (::unlink(file.c_str()) != 0) {
        log::warn("audit_prune_unlink_failed",
                  {{"file", file.string()}, {"error", errno_text(errno)}});
      }
    }
    sync_dir(dir_);

    const uint64_t pruned = first_kept - first_pruned;
    AuditEvent event;
    event.time = now;
    event.kind = "audit.pruned";
    event.detail = "pruned " + std::to_string(pruned) + " events, " + event_id_for(first_pruned) +
                   " to " + event_id_for(first_kept - 1) + ", older than " +
                   std::to_string(options_.retain_days) + " days";
    append_line(event);
    flush_buffer();
    sync_fd(active_fd_, options_.sync, segment_path(segments_.back().number));
    log::info("audit_pruned", {{"events", static_cast<unsigned long>(pruned)},
                               {"through_seq", static_cast<unsigned long>(first_kept - 1)}});
    return pruned;
  } catch (const std::exception& e) {
    stop_writing("prune", e);
    return 0;
  }
}

void FileAuditLog::stop_writing(std::string_view step, const std::exception& error) {
  failure_ =
      "the audit log stopped writing after a failed " + std::string(step) + ": " + error.what();
  failed_ = true;
  log::error("audit_stopped_writing", {{"error", failure_}});
}

}  // namespace fathom::audit
