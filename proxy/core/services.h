// The long-lived services behind authentication, created once at start-up and shared by all
// workers: the token store, the hasher with the server key, the validation cache, the failure
// limiter. Unlike the Runtime they are not rebuilt on reload (a new store path needs a restart).
#pragma once

#include <memory>

#include "audit/file_audit_log.h"
#include "auth/failure_limiter.h"
#include "auth/token_hasher.h"
#include "auth/validation_cache.h"
#include "config/config.h"
#include "core/authenticator.h"
#include "fathom/audit.h"
#include "fathom/token_store.h"
#include "plugin_host/plugin_loader.h"
#include "store_redis/redis_store.h"

namespace fathom {

struct Services : HostServices {
  std::unique_ptr<auth::TokenHasher> hasher;
  std::unique_ptr<TokenStore> token_store;
  store_redis::RedisStore* redis = nullptr;  // token_store, when the backend is Redis
  std::unique_ptr<audit::FileAuditLog> audit_log;
  std::unique_ptr<auth::ValidationCache> cache;
  std::unique_ptr<auth::FailureLimiter> limiter;
  std::unique_ptr<Authenticator> authenticator;
  // The store as plugins see it, when the daemon watches their writes (serve: the bootstrap-token
  // file); else they get token_store itself.
  std::unique_ptr<TokenStore> plugin_store;

  // What plugins get through their Host.
  TokenStore* store() override { return plugin_store ? plugin_store.get() : token_store.get(); }
  AuditLog* audit() override { return audit_log.get(); }
  NewSecret new_secret() override;
  std::string new_token_id() override;
  NewSecret new_pair_code() override;
  std::string new_pair_code_id() override;
  std::string hash_secret(std::string_view secret) override;
  int rate_limited(std::string_view client_address) override;
  void count_failure(std::string_view client_address) override;
};

// <state_dir>/redis-store-initialized: written once this instance has seen the Redis store
// initialized, so that a Redis that comes back empty is refused rather than taken as new.
std::string redis_marker_path(const Config& config);

// Opens (creating on first start) the server key <state_dir>/token-hash.key and the store, and
// builds the cache, limiter and authenticator. Throws std::runtime_error with a message naming
// the file and the problem (key mode, store locked by another daemon, key fingerprint mismatch).
std::unique_ptr<Services> open_services(const Config& config);

}  // namespace fathom
