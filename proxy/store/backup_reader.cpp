#include "store/backup_reader.h"

#include "store/replay.h"
#include "store/store_error.h"
#include "store/token_codec.h"

namespace fathom::store {
namespace {

[[noreturn]] void not_a_backup(const std::filesystem::path& backup, std::string_view why) {
  throw StoreError(backup.string() + ": not a complete fathom-auth backup (" + std::string(why) +
                   ")");
}

}  // namespace

std::string header_fingerprint(const std::vector<Frame>& frames) {
  if (frames.empty()) return {};
  try {
    DecodedOp op = decode_op(frames.front().payload);
    if (op.kind == DecodedOp::Kind::header) return op.key_fingerprint;
  } catch (const CodecError&) {
  }
  return {};
}

BackupContents read_backup_bytes(std::string_view bytes, const std::filesystem::path& name,
                                 std::string_view key_fingerprint) {
  FrameScan scan = scan_frames(bytes);
  if (scan.end != FrameScan::End::clean) {
    not_a_backup(name, scan.problem + " at byte " + std::to_string(scan.bad_offset));
  }
  BackupContents contents;
  contents.key_fingerprint = header_fingerprint(scan.frames);
  if (contents.key_fingerprint.empty()) not_a_backup(name, "no header");
  if (contents.key_fingerprint != key_fingerprint) {
    throw StoreError(name.string() + ": written under another token-hash.key (fingerprint " +
                     contents.key_fingerprint + ", this server's key is " +
                     std::string(key_fingerprint) +
                     "); its tokens would match no secret here. Restore it with the key it was "
                     "taken with");
  }
  replay_frames(ReplayContext{name.parent_path(), key_fingerprint}, name, FileKind::snapshot,
                scan.frames, contents.tokens, contents.pair_codes);
  return contents;
}

}  // namespace fathom::store
