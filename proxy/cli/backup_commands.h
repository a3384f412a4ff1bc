// `fathom-auth backup --config FILE --out FILE` and `fathom-auth restore --config FILE BACKUP`:
// the embedded store's backup (online, while the daemon runs) and restore (offline), with the
// store, key and revocation ledger found from the config (see store/backup.h).
#pragma once

#include <string>

namespace fathom::cli {

// Prints "backed up N tokens to OUT" and returns 0; on failure prints the reason on stderr and
// returns 1. Refuses when <state_dir>/token-hash.key is missing (it never creates a key) or the
// store was written under another key.
int backup_command(const std::string& config_path, const std::string& out_path,
                   const std::string& exe_dir);

// Prints "restored N tokens; M kept revoked by the revocation ledger" and returns 0; on failure
// prints the reason on stderr and returns 1 (the daemon still running, a backup under another
// key, a damaged backup, a missing key file).
int restore_command(const std::string& config_path, const std::string& backup_path,
                    const std::string& exe_dir);

}  // namespace fathom::cli
