// The snapshot: `<store>/snapshot`, every token as of the last compaction. A header, one put
// record per token, and an end record with the count, so a snapshot cut short at a record
// boundary is still detected. It is only ever replaced whole, so it must be fully valid.
#pragma once

#include <vector>

#include "fathom/token_store.h"
#include "store/file_io.h"
#include "store/replay.h"
#include "store/token_index.h"

namespace fathom::store {

// Loads the snapshot into `index`; false if there is none. Throws StoreError on any damage.
bool load_snapshot(const ReplayContext& ctx, TokenIndex& index);

// Writes `tokens` as the new snapshot: a temporary file, synced, renamed over the old one, and
// the directory synced. Throws StoreError.
void write_snapshot(const ReplayContext& ctx, const std::vector<TokenRecord>& tokens,
                    const SyncFn& sync);

}  // namespace fathom::store
