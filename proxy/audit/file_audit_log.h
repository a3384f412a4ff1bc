// The audit trail in files: append-only segments of JSON lines chained by SHA-256 (see
// stored_line.h and audit_files.h for the layout), an in-memory index for queries, one writer.
//
// Threads. record() and record_durable() queue the event (a mutex and a vector swap; record()
// does not even wake the writer unless the queue grows long). The writer thread wakes every
// flush_interval, or at once for a durable event or a prune, writes the whole queue, syncs once
// (group commit), adds the lines to the index under the exclusive lock, then calls the durable
// callbacks. Queries take the shared lock, pick the events from the index and pread their lines.
// A failed write or sync stops the writer for good: ready() turns false, every durable callback
// answers false, and events recorded after that are counted as lost (logged once); a restart
// truncates a torn tail and continues the chain from the last whole line.
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
#include <vector>

#include "audit/audit_files.h"
#include "audit/audit_index.h"
#include "fathom/audit.h"

namespace fathom::audit {

struct FileAuditLogOptions {
  // A segment is closed and a new one started before a line would take it past this size.
  // 4 KiB .. 1 GiB (offsets in the index are 32-bit).
  uint64_t segment_bytes = 64ull << 20;
  // Request events are durable at most this long (plus the write) after record().
  std::chrono::milliseconds flush_interval{200};
  // prune() deletes segments whose newest event is older than this; 0 keeps everything.
  uint32_t retain_days = 365;
  // Syncs a file's data (default fdatasync). Tests replace it to make a sync fail.
  SyncFn sync;
};

class FileAuditLog final : public AuditLog {
 public:
  // Opens the log in `dir` (created 0700 if missing; files 0600), builds the index from the
  // segments, truncates a torn last line, and finishes a prune a crash interrupted. Throws
  // AuditError: bad options, another FileAuditLog holds the directory, or a segment is damaged
  // anywhere but its torn tail (`fathom-auth audit verify` then says where).
  explicit FileAuditLog(std::filesystem::path dir, FileAuditLogOptions options = {});
  // Writes and syncs everything queued, then stops the writer.
  ~FileAuditLog() override;
  FileAuditLog(const FileAuditLog&) = delete;
  FileAuditLog& operator=(const FileAuditLog&) = delete;

  void record(AuditEvent event) override;
  void record_durable(AuditEvent event, std::function<void(bool durable)> done) override;
  // `limit` outside 1..1000 is clamped into it (the admin route refuses such a limit first).
  void query(const AuditQuery& query,
             const std::function<void(AuditStatus, AuditPage)>& done) override;
  bool ready() override;
  // Returns once every record_durable callback queued before the call has run and been
  // destroyed. From a durable callback it returns at once.
  void quiesce() override;

  // Deletes whole segments, oldest first, whose newest event is older than
  // now - retain_days, then records a durable `audit.pruned` event saying how many events went
  // and up to which seq. Returns the number of events pruned (0, and no event, when none was,
  // when retain_days is 0, or when the log has failed). Never deletes the segment being written.
  // Waits for the writer; not from a durable callback.
  uint64_t prune(UnixTime now);

 private:
  // record() wakes the writer only when this many events wait, so that a burst is written in
  // bounded batches; otherwise the writer's own interval picks them up.
  static constexpr size_t kWakeAt = 8192;

  struct Pending {
    AuditEvent event;
    std::function<void(bool)> done;  // empty for record()
  };
  struct Segment {
    uint32_t number = 0;
    int fd = -1;  // read-only; pread by queries
    uint64_t first_seq = 0;
    uint64_t last_seq = 0;  // 0: no event yet
    UnixTime max_time = 0;
    uint64_t bytes = 0;
  };
  struct PruneRequest {
    UnixTime now = 0;
    uint64_t pruned = 0;
    bool done = false;
  };

  void open_segments();
  void scan_segment(Segment& seg, const std::filesystem::path& file, bool last);
  void finish_interrupted_prune(uint64_t anchor_first_seq);
  void open_active(uint32_t number, bool create);
  void writer_loop();
  void write_batch(std::vector<Pending>& batch);
  void append_line(AuditEvent& event);
  void flush_buffer();
  void rotate();
  uint64_t prune_now(UnixTime now);
  void stop_writing(std::string_view step, const std::exception& error);
  void log_loss(size_t events);
  const Segment* segment_locked(uint32_t number) const;
  std::filesystem::path segment_path(uint32_t number) const;
  bool read_event(const IndexEntry& entry, AuditEvent& out) const;

  const std::filesystem::path dir_;
  const FileAuditLogOptions options_;
  int lock_fd_ = -1;

  // Readers take it shared; the writer exclusive, only to add lines or drop pruned segments.
  mutable std::shared_mutex index_mu_;
  AuditIndex index_;
  std::vector<Segment> segments_;  // oldest first; the last is being written

  // Writer thread only (and the constructor).
  int active_fd_ = -1;  // append-only descriptor on segments_.back()
  uint64_t next_seq_ = 1;
  std::string last_hash_;
  std::string buffer_;  // lines written to the active segment at the next flush_buffer()
  struct Staged {
    uint64_t seq;
    UnixTime time;
    std::string token_id;
    uint32_t offset;
    uint32_t length;
  };
  std::vector<Staged> staged_;  // lines in buffer_, for the index
  uint64_t unsynced_bytes_ = 0;

  std::atomic<bool> failed_{false};
  std::atomic<bool> loss_logged_{false};
  std::string failure_;  // why the writer stopped; writer thread only

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<Pending> queue_;
  bool urgent_ = false;  // a durable event or a prune is queued
  bool stopping_ = false;
  uint64_t batches_started_ = 0;  // guarded by queue_mu_
  uint64_t batches_finished_ = 0;
  std::condition_variable batch_cv_;
  PruneRequest* prune_ = nullptr;  // guarded by queue_mu_
  std::condition_variable prune_cv_;
  std::mutex prune_call_mu_;  // one prune() at a time

  std::thread writer_;  // last: starts once everything above exists
};

}  // namespace fathom::audit
