#include "store/snapshot.h"

#include <string>

#include "store/frame.h"
#include "store/store_error.h"
#include "store/token_codec.h"

namespace fathom::store {

bool load_snapshot(const ReplayContext& ctx, TokenIndex& index, PairCodeIndex& pair_codes) {
  std::filesystem::path file = ctx.store_dir / kSnapshotName;
  std::string bytes;
  if (!read_file(file, bytes)) return false;
  FrameScan scan = scan_frames(bytes);
  if (scan.end != FrameScan::End::clean) {
    throw StoreError(file.string() + ": corrupt record at byte " + std::to_string(scan.bad_offset) +
                     ": " + scan.problem + "; restore the store from a backup");
  }
  replay_frames(ctx, file, FileKind::snapshot, scan.frames, index, pair_codes);
  return true;
}

std::string snapshot_bytes(std::string_view key_fingerprint, const std::vector<TokenRecord>& tokens,
                           const std::vector<PairCodeRecord>& pair_codes) {
  std::string bytes;
  append_frame(bytes, header_payload(key_fingerprint));
  for (const TokenRecord& t : tokens) append_frame(bytes, put_payload(t));
  for (const PairCodeRecord& c : pair_codes) append_frame(bytes, put_payload(c));
  append_frame(bytes, end_payload(tokens.size(), pair_codes.size()));
  return bytes;
}

void write_snapshot(const ReplayContext& ctx, const std::vector<TokenRecord>& tokens,
                    const std::vector<PairCodeRecord>& pair_codes, const SyncFn& sync) {
  replace_file(ctx.store_dir, kSnapshotName,
               snapshot_bytes(ctx.key_fingerprint, tokens, pair_codes), sync, /*keep_open=*/false);
}

}  // namespace fathom::store
