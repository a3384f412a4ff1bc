// Checks an audit log's chain offline: every line is a valid event in the canonical layout, seq
// goes up by one, and each prev_hash is the SHA-256 of the line before it (or, at the start, 64
// zeros or the prune anchor's). Reads only, takes no lock: safe while the daemon writes, whose
// line in progress shows up as a torn tail.
//
// What it cannot see: a change to the newest event (nothing chains to it yet), or a rewrite of
// every line from some point on (whoever can do that can recompute the chain); copies of the log
// kept elsewhere are the defence against those.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace fathom::audit {

struct VerifyReport {
  bool ok = false;              // the chain holds from the first event to the last
  uint64_t events_checked = 0;  // events whose link was checked before the first broken one
  uint64_t first_seq = 0;       // of the checked events; 0 when none
  uint64_t last_seq = 0;
  uint64_t segments = 0;
  // The last line was cut short (a crash, or the daemon writing it now). Not tampering: ok may
  // still be true. `torn_tail_note` says where.
  bool torn_tail = false;
  std::string torn_tail_note;
  // When !ok: the first broken link. `event_id` is the event whose link is broken (empty when
  // the line cannot be read as an event); `file` is shown relative to the log's parent folder
  // ("audit/000001.log"), `offset` is the line's first byte in it.
  std::string event_id;
  std::string file;
  uint64_t offset = 0;
  // One sentence a person can act on, e.g. "event evt_0000000000000042 (audit/000001.log at
  // byte 8812): prev_hash does not match event evt_0000000000000041 before it — …".
  std::string problem;
};

VerifyReport verify_audit(const std::filesystem::path& dir);

}  // namespace fathom::audit
