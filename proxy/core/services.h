// The long-lived services behind authentication, created once at start-up and shared by all
// workers: the token store, the hasher with the server key, the validation cache, the failure
// limiter. Unlike the Runtime they are not rebuilt on reload (a new store path needs a restart).
#pragma once

#include <memory>

#include "auth/failure_limiter.h"
#include "auth/token_hasher.h"
#include "auth/validation_cache.h"
#include "config/config.h"
#include "core/authenticator.h"
#include "fathom/token_store.h"
#include "plugin_host/plugin_loader.h"

namespace fathom {

struct Services : HostServices {
  std::unique_ptr<auth::TokenHasher> hasher;
  std::unique_ptr<TokenStore> token_store;
  std::unique_ptr<auth::ValidationCache> cache;
  std::unique_ptr<auth::FailureLimiter> limiter;
  std::unique_ptr<Authenticator> authenticator;

  // What plugins get through their Host.
  TokenStore* store() override { return token_store.get(); }
  NewSecret new_secret() override;
  std::string new_token_id() override;
};

// Opens (creating on first start) the server key <state_dir>/token-hash.key and the store, and
// builds the cache, limiter and authenticator. Throws std::runtime_error with a message naming
// the file and the problem (key mode, store locked by another daemon, key fingerprint mismatch).
std::unique_ptr<Services> open_services(const Config& config);

}  // namespace fathom
