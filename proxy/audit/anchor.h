// Where the chain starts once old segments are pruned. The oldest remaining event's prev_hash
// names an event that no longer exists, so the prune records, before deleting anything, the seq
// of that first remaining event and the prev_hash it must carry. verify_audit checks the chain
// from there; the log deletes at open any segment wholly below first_seq (a prune that a crash
// interrupted). The file is JSON: {"first_seq":N,"prev_hash":"…","pruned_at":T}.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "audit/audit_files.h"
#include "fathom/token_store.h"

namespace fathom::audit {

inline constexpr const char* kAnchorFile = "anchor";

struct Anchor {
  uint64_t first_seq = 0;
  std::string prev_hash;
  UnixTime pruned_at = 0;
};

// nullopt when there is no anchor (nothing was ever pruned). Throws AuditError when it exists
// but cannot be read or is damaged.
std::optional<Anchor> read_anchor(const std::filesystem::path& dir);
void write_anchor(const std::filesystem::path& dir, const Anchor& anchor, const SyncFn& sync);

}  // namespace fathom::audit
