// The audit log's in-memory index: where each event's line is, its time, and per token id the
// events that name it, so that a page is found without reading any event it does not return.
//
// Entries are dense by seq (entry i is seq first_seq() + i); a seq missing from the files (a line
// removed by hand) holds an empty entry. About 24 bytes per event plus 8 per token-id mention.
// Not thread-safe: FileAuditLog guards it with its shared mutex.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fathom/token_store.h"

namespace fathom::audit {

struct IndexEntry {
  UnixTime time = 0;
  uint32_t segment = 0;  // the segment file's number
  uint32_t offset = 0;   // of the line in it
  uint32_t length = 0;   // of the line, without its newline; 0: no such event
};

struct IndexFilter {
  std::string_view token_id;  // empty: every event
  std::optional<UnixTime> since;
  std::optional<UnixTime> until;
  uint64_t below = 0;  // only events with a smaller seq; 0: no bound
};

class AuditIndex {
 public:
  bool empty() const { return entries_.empty(); }
  uint64_t first_seq() const { return first_seq_; }
  // 0 when empty.
  uint64_t last_seq() const { return entries_.empty() ? 0 : first_seq_ + entries_.size() - 1; }
  size_t token_count() const { return by_token_.size(); }

  // `seq` must be above last_seq(); seqs skipped on the way get empty entries.
  void add(uint64_t seq, UnixTime time, std::string_view token_id, uint32_t segment,
           uint32_t offset, uint32_t length);
  // The entry of `seq`, or nullptr when there is none.
  const IndexEntry* find(uint64_t seq) const;
  // Up to `want` seqs of events that pass `filter`, newest first.
  std::vector<uint64_t> select(const IndexFilter& filter, size_t want) const;
  // Forgets every event below `first_kept`.
  void drop_below(uint64_t first_kept);

 private:
  // Events are ordered by seq, but their times need not be (several threads record them, and
  // clocks step): prefix_max_ holds, per block of entries, the newest time in that block and every
  // block before it, so a `since` scan stops as soon as nothing older can match.
  static constexpr size_t kBlock = 1024;

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  bool passes(const IndexEntry& e, const IndexFilter& f) const;
  bool nothing_older_matches(size_t index, const IndexFilter& f) const;
  void rebuild_prefix_max();

  uint64_t first_seq_ = 1;
  std::vector<IndexEntry> entries_;
  std::vector<UnixTime> prefix_max_;
  std::unordered_map<std::string, std::vector<uint64_t>, StringHash, std::equal_to<>> by_token_;
};

}  // namespace fathom::audit
