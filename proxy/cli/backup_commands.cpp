#include "cli/backup_commands.h"

#include <cstdio>
#include <exception>
#include <filesystem>
#include <stdexcept>

#include "auth/token_hasher.h"
#include "config/config.h"
#include "store/backup.h"
#include "store/revocation_ledger.h"

namespace fathom::cli {
namespace {

struct StoreFiles {
  std::string store_dir;
  std::string ledger;
  std::string key_fingerprint;
};

StoreFiles locate(const std::string& config_path, const std::string& exe_dir) {
  Config cfg = load_config(config_path, exe_dir);
  if (cfg.store.backend != "file") {
    throw std::runtime_error("store.backend is \"" + cfg.store.backend +
                             "\": backup and restore cover the embedded file store only");
  }
  const std::string key_path = cfg.state_dir + "/token-hash.key";
  // load_or_create_key would make a new key, under which every stored hash is useless.
  std::error_code ec;
  if (!std::filesystem::exists(key_path, ec)) {
    throw std::runtime_error(key_path +
                             ": no token-hash.key; the store's hashes need the key they were "
                             "made with (restore it from where it was kept; it is never created "
                             "here)");
  }
  auth::TokenHasher hasher(auth::load_or_create_key(key_path));
  return StoreFiles{cfg.store.path, cfg.state_dir + "/" + store::kRevocationLedgerName,
                    hasher.fingerprint()};
}

}  // namespace

int backup_command(const std::string& config_path, const std::string& out_path,
                   const std::string& exe_dir) {
  try {
    StoreFiles files = locate(config_path, exe_dir);
    store::BackupReport report =
        store::backup_store(files.store_dir, out_path, files.key_fingerprint);
    std::printf("backed up %zu tokens to %s\n", report.tokens, out_path.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fathom-auth backup: %s\n", e.what());
    return 1;
  }
}

int restore_command(const std::string& config_path, const std::string& backup_path,
                    const std::string& exe_dir) {
  try {
    StoreFiles files = locate(config_path, exe_dir);
    store::RestoreReport report =
        store::restore_store(files.store_dir, backup_path, files.ledger, files.key_fingerprint);
    std::printf("restored %zu tokens; %zu kept revoked by the revocation ledger\n",
                report.tokens_restored, report.kept_revoked);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fathom-auth restore: %s\n", e.what());
    return 1;
  }
}

}  // namespace fathom::cli
