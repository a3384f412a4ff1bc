#include "audit/audit_index.h"

#include <algorithm>
#include <limits>

namespace fathom::audit {

void AuditIndex::add(uint64_t seq, UnixTime time, std::string_view token_id, uint32_t segment,
                     uint32_t offset, uint32_t length) {
  if (entries_.empty()) {
    first_seq_ = seq;
  } else {
    // A gap: a line removed from the files. verify_audit names it; the index just skips it.
    while (last_seq() + 1 < seq) {
      entries_.push_back(IndexEntry{std::numeric_limits<UnixTime>::min(), 0, 0, 0});
    }
  }
  entries_.push_back(IndexEntry{time, segment, offset, length});
  const size_t block = (entries_.size() - 1) / kBlock;
  prefix_max_.resize(block + 1, prefix_max_.empty() ? time : prefix_max_.back());
  UnixTime& max = prefix_max_[block];
  max = std::max(max, time);
  if (!token_id.empty()) {
    auto it = by_token_.find(token_id);
    if (it == by_token_.end()) it = by_token_.emplace(std::string(token_id), 0).first;
    it->second.push_back(seq);
  }
}

const IndexEntry* AuditIndex::find(uint64_t seq) const {
  if (seq < first_seq_ || seq > last_seq()) return nullptr;
  const IndexEntry& e = entries_[seq - first_seq_];
  return e.length == 0 ? nullptr : &e;
}

bool AuditIndex::passes(const IndexEntry& e, const IndexFilter& f) const {
  if (e.length == 0) return false;
  if (f.since && e.time < *f.since) return false;
  if (f.until && e.time >= *f.until) return false;
  return true;
}

bool AuditIndex::nothing_older_matches(size_t index, const IndexFilter& f) const {
  return f.since && prefix_max_[index / kBlock] < *f.since;
}

std::vector<uint64_t> AuditIndex::select(const IndexFilter& f, size_t want) const {
  std::vector<uint64_t> out;
  if (entries_.empty() || want == 0) return out;
  const uint64_t top = f.below == 0 ? last_seq() : std::min(last_seq(), f.below - 1);
  if (f.below != 0 && f.below <= first_seq_) return out;

  if (f.token_id.empty()) {
    for (size_t i = static_cast<size_t>(top - first_seq_) + 1; i-- > 0;) {
      if (nothing_older_matches(i, f)) break;
      if (passes(entries_[i], f)) {
        out.push_back(first_seq_ + i);
        if (out.size() == want) break;
      }
    }
    return out;
  }

  const auto it = by_token_.find(f.token_id);
  if (it == by_token_.end()) return out;
  const std::vector<uint64_t>& seqs = it->second;
  for (auto pos = std::upper_bound(seqs.begin(), seqs.end(), top); pos != seqs.begin();) {
    const uint64_t seq = *--pos;
    const size_t i = static_cast<size_t>(seq - first_seq_);
    if (nothing_older_matches(i, f)) break;
    if (passes(entries_[i], f)) {
      out.push_back(seq);
      if (out.size() == want) break;
    }
  }
  return out;
}

void AuditIndex::drop_below(uint64_t first_kept) {
  if (entries_.empty() || first_kept <= first_seq_) return;
  const size_t n =
      static_cast<size_t>(std::min<uint64_t>(first_kept - first_seq_, entries_.size()));
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(n));
  first_seq_ += n;
  for (auto it = by_token_.begin(); it != by_token_.end();) {
    std::vector<uint64_t>& seqs = it->second;
    seqs.erase(seqs.begin(), std::lower_bound(seqs.begin(), seqs.end(), first_kept));
    it = seqs.empty() ? by_token_.erase(it) : std::next(it);
  }
  rebuild_prefix_max();
}

void AuditIndex::rebuild_prefix_max() {
  prefix_max_.clear();
  UnixTime max = std::numeric_limits<UnixTime>::min();
  for (size_t i = 0; i < entries_.size(); ++i) {
    max = std::max(max, entries_[i].time);
    if (i % kBlock == kBlock - 1 || i + 1 == entries_.size()) prefix_max_.push_back(max);
  }
}

}  // namespace fathom::audit
