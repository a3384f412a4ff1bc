#include "store/snapshot.h"

#include <string>

#include "store/frame.h"
#include "store/store_error.h"
#include "store/token_codec.h"

namespace fathom::store {
namespace {

constexpr const char* kSnapshotName = "snapshot";

}  // namespace

bool load_snapshot(const ReplayContext& ctx, TokenIndex& index) {
  std::filesystem::path file = ctx.store_dir / kSnapshotName;
  std::string bytes;
  if (!read_file(file, bytes)) return false;
  FrameScan scan = scan_frames(bytes);
  if (scan.end != FrameScan::End::clean) {
    throw StoreError(file.string() + ": corrupt record at byte " + std::to_string(scan.bad_offset) +
                     ": " + scan.problem + "; restore the store from a backup");
  }
  replay_frames(ctx, file, FileKind::snapshot, scan.frames, index);
  return true;
}

void write_snapshot(const ReplayContext& ctx, const std::vector<TokenRecord>& tokens,
                    const SyncFn& sync) {
  std::string bytes;
  append_frame(bytes, header_payload(ctx.key_fingerprint));
  for (const TokenRecord& t : tokens) append_frame(bytes, put_payload(t));
  append_frame(bytes, end_payload(tokens.size()));
  replace_file(ctx.store_dir, kSnapshotName, bytes, sync, /*keep_open=*/false);
}

}  // namespace fathom::store
