// The snapshot: `<store>/snapshot`, every token and pair code as of the last compaction. A header,
// one put record per token and per pair code, and an end record with the counts, so a snapshot
// cut short at a record boundary is still detected. It is only ever replaced whole, so it must
// be fully valid. A backup file has the same layout (tokens only; see backup.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fathom/token_store.h"
#include "store/file_io.h"
#include "store/pair_code_index.h"
#include "store/replay.h"
#include "store/token_index.h"

namespace fathom::store {

inline constexpr const char* kSnapshotName = "snapshot";

// Loads the snapshot into the indexes; false if there is none. Throws StoreError on any damage.
bool load_snapshot(const ReplayContext& ctx, TokenIndex& index, PairCodeIndex& pair_codes);

// The bytes of a snapshot holding `tokens` and `pair_codes`.
std::string snapshot_bytes(std::string_view key_fingerprint, const std::vector<TokenRecord>& tokens,
                           const std::vector<PairCodeRecord>& pair_codes);

// Writes the new snapshot: a temporary file, synced, renamed over the old one, and the directory
// synced. Throws StoreError.
void write_snapshot(const ReplayContext& ctx, const std::vector<TokenRecord>& tokens,
                    const std::vector<PairCodeRecord>& pair_codes, const SyncFn& sync);

}  // namespace fathom::store
