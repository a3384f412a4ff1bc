#include "store/replay.h"

#include <string>

#include "store/store_error.h"
#include "store/token_codec.h"

namespace fathom::store {
namespace {

[[noreturn]] void bad_record(const std::filesystem::path& file, size_t offset,
                             std::string_view problem) {
  throw StoreError(file.string() + ": corrupt record at byte " + std::to_string(offset) + ": " +
                   std::string(problem) +
                   "; restore the store from a backup or move the file aside");
}

void check_header(const ReplayContext& ctx, const std::filesystem::path& file, const Frame& frame,
                  const DecodedOp& op) {
  if (op.kind != DecodedOp::Kind::header) bad_record(file, frame.offset, "expected a header");
  if (op.version != kFormatVersion) {
    throw StoreError(file.string() + ": store format version " + std::to_string(op.version) +
                     " is not supported (this fathom-auth reads version " +
                     std::to_string(kFormatVersion) + ")");
  }
  if (op.key_fingerprint != ctx.key_fingerprint) {
    throw StoreError(ctx.store_dir.string() +
                     ": this store was written with another token-hash.key (fingerprint " +
                     op.key_fingerprint + ", this key is " + std::string(ctx.key_fingerprint) +
                     ")");
  }
}

}  // namespace

void replay_frames(const ReplayContext& ctx, const std::filesystem::path& file, FileKind kind,
                   const std::vector<Frame>& frames, TokenIndex& index, PairCodeIndex& pair_codes) {
  if (frames.empty()) bad_record(file, 0, "no header");
  bool ended = false;
  size_t snapshot_tokens = 0;
  size_t snapshot_pair_codes = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const Frame& frame = frames[i];
    DecodedOp op;
    try {
      op = decode_op(frame.payload);
    } catch (const CodecError& e) {
      bad_record(file, frame.offset, e.what());
    }
    if (i == 0) {
      check_header(ctx, file, frame, op);
      continue;
    }
    if (ended) bad_record(file, frame.offset, "a record after the end record");
    switch (op.kind) {
      case DecodedOp::Kind::header:
        bad_record(file, frame.offset, "a second header");
      case DecodedOp::Kind::put:
        for (TokenRecord& t : op.tokens) {
          std::string id = t.token_id;
          if (!index.put(std::move(t))) {
            bad_record(file, frame.offset, "token " + id + " has the secret hash of another token");
          }
          ++snapshot_tokens;
        }
        for (PairCodeRecord& c : op.pair_codes) {
          std::string id = c.pair_code_id;
          if (!pair_codes.put(std::move(c))) {
            bad_record(file, frame.offset, "pair code " + id + " has the hash of another code");
          }
          ++snapshot_pair_codes;
        }
        break;
      case DecodedOp::Kind::reset:
        // A restore's journal starts over; the snapshot before it is an older store's.
        if (kind != FileKind::journal) bad_record(file, frame.offset, "a reset record");
        index.clear();
        pair_codes.clear();
        break;
      case DecodedOp::Kind::end:
        if (kind != FileKind::snapshot) bad_record(file, frame.offset, "an end record");
        if (op.token_count != snapshot_tokens) {
          bad_record(file, frame.offset,
                     "the snapshot holds " + std::to_string(snapshot_tokens) +
                         " tokens, its end record says " + std::to_string(op.token_count));
        }
        if (op.pair_code_count != snapshot_pair_codes) {
          bad_record(file, frame.offset,
                     "the snapshot holds " + std::to_string(snapshot_pair_codes) +
                         " pair codes, its end record says " + std::to_string(op.pair_code_count));
        }
        ended = true;
        break;
    }
  }
  if (kind == FileKind::snapshot && !ended) {
    throw StoreError(file.string() +
                     ": the snapshot is incomplete (no end record); restore the store from a "
                     "backup");
  }
}

}  // namespace fathom::store
