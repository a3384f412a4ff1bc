// <state_dir>/bootstrap-token outlives its use: once the token whose secret it holds is revoked,
// expired or rotated away, the file is removed (and the removal logged, never the token), so a
// secret nobody needs does not sit on disk. The watch knows the token by the keyed hash of the
// file's content, which is what the store and its invalidations carry.
//
// "Rotated away" means at the rotation: once a successor is minted from it, the bootstrap token
// has done its job, even while it stays valid through a grace period or until revoked.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "auth/token_hasher.h"
#include "fathom/token_store.h"

namespace fathom {

class BootstrapTokenFile : public std::enable_shared_from_this<BootstrapTokenFile> {
 public:
  BootstrapTokenFile(std::string path, std::string secret_hash)
      : path_(std::move(path)), secret_hash_(std::move(secret_hash)) {}

  // A watch on the file at `path`, or null when there is none (or it cannot be read: nothing to
  // remove that this daemon could know about).
  static std::shared_ptr<BootstrapTokenFile> open_existing(const std::string& path,
                                                           const auth::TokenHasher& hasher);

  const std::string& path() const { return path_; }
  const std::string& secret_hash() const { return secret_hash_; }

  // Why the file should go, given the token it holds as the store has it (null: unknown to the
  // store), or "" to keep it. Pure; exposed for tests.
  static std::string retire_reason(const TokenRecord* token, UnixTime now);

  // Removes the file once, from any thread, and logs it with `token_id` and `reason`.
  void remove(std::string_view token_id, std::string_view reason);
  // Asks the store about the token and removes the file if retire_reason() says so; for what no
  // invalidation tells this instance (a rotation made on another instance, a revocation made
  // while it was stopped). The answer may come on the store's thread; it keeps this watch alive.
  void check(TokenStore& store, UnixTime now);
  bool removed() const { return removed_; }

 private:
  const std::string path_;
  const std::string secret_hash_;
  std::atomic<bool> removed_{false};
};

}  // namespace fathom
