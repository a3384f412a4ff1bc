// Reading a backup file (backup.h): its bytes checked and decoded in memory, apart from the
// file handling of restore_store so that a damaged or hostile backup is tested and fuzzed
// without files, locks or a store directory.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "store/frame.h"
#include "store/pair_code_index.h"
#include "store/token_index.h"

namespace fathom::store {

struct BackupContents {
  TokenIndex tokens;
  PairCodeIndex pair_codes;  // only an old or hand-made backup has any; restore drops them
  std::string key_fingerprint;
};

// The fingerprint in a file's header record, or empty when its first record is not a header.
std::string header_fingerprint(const std::vector<Frame>& frames);

// Decodes `bytes`, the whole of the backup file `name` (named in messages only). Refuses, before
// anything is built from it, a file that is damaged or cut short anywhere, has no header, or was
// written under a token-hash key other than `key_fingerprint`; then every record must replay as a
// snapshot's would (snapshot.h). Throws StoreError, and nothing else for any bytes.
BackupContents read_backup_bytes(std::string_view bytes, const std::filesystem::path& name,
                                 std::string_view key_fingerprint);

}  // namespace fathom::store
