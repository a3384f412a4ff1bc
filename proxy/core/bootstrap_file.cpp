#include "core/bootstrap_file.h"

#include <filesystem>
#include <fstream>

#include "ops/log.h"

namespace fathom {

std::shared_ptr<BootstrapTokenFile> BootstrapTokenFile::open_existing(
    const std::string& path, const auth::TokenHasher& hasher) {
  std::ifstream in(path);
  std::string secret;
  if (!in || !std::getline(in, secret) || secret.empty()) return nullptr;
  return std::make_shared<BootstrapTokenFile>(path, hasher.hash(secret));
}

std::string BootstrapTokenFile::retire_reason(const TokenRecord* token, UnixTime now) {
  if (token == nullptr) return "the store does not know the token";
  if (token->revoked()) return "revoked";
  if (!token->rotated_to.empty()) return "rotated to " + token->rotated_to;
  if (token->expired(now)) return "expired";
  return {};
}

void BootstrapTokenFile::remove(std::string_view token_id, std::string_view reason) {
  if (removed_.exchange(true)) return;
  std::error_code ec;
  std::filesystem::remove(path_, ec);
  if (ec) {
    log::warn("bootstrap_token_file_not_removed",
              {{"path", path_}, {"token_id", std::string(token_id)}, {"error", ec.message()}});
    return;
  }
  log::info("bootstrap_token_file_removed",
            {{"path", path_},
             {"token_id", std::string(token_id)},
             {"reason", std::string(reason)},
             {"message", "the bootstrap token no longer serves; its file is gone"}});
}

void BootstrapTokenFile::check(TokenStore& store, UnixTime now) {
  if (removed_) return;
  store.find_by_hash(
      secret_hash_, [self = shared_from_this(), now](StoreStatus status, const TokenRecord* token) {
        // Unreachable is no answer: only a store that answered may retire the file.
        if (status != StoreStatus::ok && status != StoreStatus::not_found) return;
        const std::string reason = retire_reason(status == StoreStatus::ok ? token : nullptr, now);
        if (!reason.empty())
          self->remove(token ? token->token_id : std::string("(unknown)"), reason);
      });
}

}  // namespace fathom
