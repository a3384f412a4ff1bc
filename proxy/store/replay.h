// Applies the records of a journal or snapshot file to the index at start-up, checking the
// header (format version, key fingerprint) and naming the file and byte offset of any problem.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "store/frame.h"
#include "store/pair_code_index.h"
#include "store/token_index.h"

namespace fathom::store {

struct ReplayContext {
  std::filesystem::path store_dir;
  std::string_view key_fingerprint;
};

enum class FileKind { journal, snapshot };

// Throws StoreError. A snapshot must end with an end record whose counts match.
void replay_frames(const ReplayContext& ctx, const std::filesystem::path& file, FileKind kind,
                   const std::vector<Frame>& frames, TokenIndex& index, PairCodeIndex& pair_codes);

}  // namespace fathom::store
