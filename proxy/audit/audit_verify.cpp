#include "audit/audit_verify.h"

#include <optional>
#include <string_view>
#include <vector>

#include "audit/anchor.h"
#include "audit/audit_error.h"
#include "audit/audit_files.h"
#include "audit/stored_line.h"

namespace fathom::audit {
namespace {

struct Previous {
  uint64_t seq = 0;
  std::string hash;  // of its line
  std::string file;
  uint64_t offset = 0;
};

class Verifier {
 public:
  Verifier(const std::filesystem::path& dir, std::optional<Anchor> anchor)
      : dir_(dir), anchor_(std::move(anchor)) {}

  // False once a link is broken (the report then says which).
  bool check_segment(const SegmentFile& segment, const std::string& bytes, bool last_segment);
  VerifyReport& report() { return report_; }

 private:
  bool broken(std::string event_id, const std::string& file, uint64_t offset,
              const std::string& what);
  bool check_line(std::string_view line, const std::string& file, uint64_t offset);
  bool below_anchor(const std::string& bytes) const;

  const std::filesystem::path dir_;
  const std::optional<Anchor> anchor_;
  std::optional<Previous> prev_;
  VerifyReport report_;
};

std::string display_name(const std::filesystem::path& dir, const std::filesystem::path& file) {
  return (dir.filename().empty() ? dir.parent_path().filename() : dir.filename()).string() + "/" +
         file.filename().string();
}

std::string at(const std::string& file, uint64_t offset) {
  return file + " at byte " + std::to_string(offset);
}

bool Verifier::broken(std::string event_id, const std::string& file, uint64_t offset,
                      const std::string& what) {
  report_.ok = false;
  report_.event_id = std::move(event_id);
  report_.file = file;
  report_.offset = offset;
  report_.problem = (report_.event_id.empty() ? "" : "event " + report_.event_id + " ") + "(" +
                    at(file, offset) + "): " + what;
  return false;
}

// A segment whose every event is below the prune anchor was being deleted by a prune when the
// daemon stopped; the daemon deletes it at its next start. Its events are not part of the chain.
bool Verifier::below_anchor(const std::string& bytes) const {
  if (!anchor_ || prev_) return false;
  const size_t end = bytes.rfind('\n');
  if (end == std::string::npos) return false;
  const size_t start = bytes.rfind('\n', end == 0 ? 0 : end - 1);
  const size_t from = start == std::string::npos || end == 0 ? 0 : start + 1;
  const std::optional<LineKey> key =
      scan_line_key(std::string_view(bytes).substr(from, end - from));
  return key && key->seq < anchor_->first_seq;
}

bool Verifier::check_segment(const SegmentFile& segment, const std::string& bytes,
                             bool last_segment) {
  const std::string file = display_name(dir_, segment.path);
  if (below_anchor(bytes)) return true;
  ++report_.segments;
  size_t pos = 0;
  while (pos < bytes.size()) {
    const size_t nl = bytes.find('\n', pos);
    if (nl == std::string::npos) {
      if (!last_segment) {
        return broken("", file, pos,
                      "the segment ends in an incomplete line, yet a later segment exists — the "
                      "file was cut or changed");
      }
      report_.torn_tail = true;
      report_.torn_tail_note = "the last line (" + at(file, pos) + ", " +
                               std::to_string(bytes.size() - pos) +
                               " bytes) is incomplete: a write cut short by a crash, or one in "
                               "progress; not a sign of tampering";
      return true;
    }
    if (!check_line(std::string_view(bytes).substr(pos, nl - pos), file, pos)) return false;
    pos = nl + 1;
  }
  return true;
}

bool Verifier::check_line(std::string_view line, const std::string& file, uint64_t offset) {
  std::string why;
  const std::optional<StoredEvent> stored = parse_stored_line(line, &why);
  if (!stored) {
    const std::string after =
        prev_ ? " (the line after event " + event_id_for(prev_->seq) + ")" : "";
    return broken("", file, offset, "not a valid audit event" + after + ": " + why);
  }
  const uint64_t seq = stored->seq;
  const std::string id = event_id_for(seq);
  if (!prev_) {
    if (seq == 1) {
      if (stored->prev_hash != zero_hash()) {
        return broken(id, file, offset,
                      "the first event's prev_hash is not 64 zeros — it was changed");
      }
    } else if (!anchor_) {
      return broken(id, file, offset,
                    "the log starts here, but no prune anchor says that the " +
                        std::to_string(seq - 1) +
                        " events before it were pruned — they were removed");
    } else if (seq != anchor_->first_seq) {
      return broken(id, file, offset,
                    "the log starts here, but the prune anchor says it starts at " +
                        event_id_for(anchor_->first_seq) +
                        " — events were removed or the anchor changed");
    } else if (stored->prev_hash != anchor_->prev_hash) {
      return broken(id, file, offset,
                    "prev_hash does not match the one the prune anchor recorded — this event or "
                    "the anchor was changed");
    }
    report_.first_seq = seq;
  } else if (seq <= prev_->seq) {
    return broken(id, file, offset,
                  "seq goes back from " + std::to_string(prev_->seq) + " to " +
                      std::to_string(seq) + " — events were reordered, copied or rewritten");
  } else if (seq != prev_->seq + 1) {
    const uint64_t missing = seq - prev_->seq - 1;
    return broken(id, file, offset,
                  "seq jumps from " + std::to_string(prev_->seq) + " to " + std::to_string(seq) +
                      " — " + std::to_string(missing) + (missing == 1 ? " event" : " events") +
                      " (" + event_id_for(prev_->seq + 1) +
                      (missing == 1 ? "" : " to " + event_id_for(seq - 1)) + ") removed");
  } else if (stored->prev_hash != prev_->hash) {
    return broken(id, file, offset,
                  "prev_hash does not match event " + event_id_for(prev_->seq) + " before it (" +
                      at(prev_->file, prev_->offset) +
                      ") — that event was changed after it was "
                      "written, or this event's prev_hash was");
  }
  prev_ = Previous{seq, sha256_hex(line), file, offset};
  report_.last_seq = seq;
  ++report_.events_checked;
  return true;
}

}  // namespace

VerifyReport verify_audit(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    VerifyReport r;
    r.problem = dir.string() + ": no audit log here (not a directory)";
    return r;
  }
  try {
    Verifier v(dir, read_anchor(dir));
    const std::vector<SegmentFile> segments = list_segments(dir);
    std::string bytes;
    for (size_t i = 0; i < segments.size(); ++i) {
      // A segment deleted by a prune while we list is not a broken chain: skip it.
      if (!read_whole_file(segments[i].path, bytes)) continue;
      if (!v.check_segment(segments[i], bytes, i + 1 == segments.size())) return v.report();
    }
    v.report().ok = true;
    return v.report();
  } catch (const AuditError& e) {
    VerifyReport r;
    r.problem = e.what();
    return r;
  }
}

}  // namespace fathom::audit
