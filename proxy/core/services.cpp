#include "core/services.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "auth/token_format.h"
#include "store/file_store.h"
#include "store_redis/redis_store.h"

namespace fathom {

NewSecret Services::new_secret() {
  NewSecret s;
  s.token = auth::generate_token();
  s.secret_hash = hasher->hash(s.token);
  return s;
}

std::string Services::new_token_id() {
  return auth::generate_token_id();
}

NewSecret Services::new_pair_code() {
  NewSecret s;
  s.token = auth::generate_pair_code();
  s.secret_hash = hasher->hash(s.token);
  return s;
}

std::string Services::new_pair_code_id() {
  return auth::generate_pair_code_id();
}

std::string Services::hash_secret(std::string_view secret) {
  return hasher->hash(secret);
}

int Services::rate_limited(std::string_view client_address) {
  std::chrono::seconds retry_after{0};
  if (!limiter->blocked(client_address, std::chrono::steady_clock::now(), &retry_after)) return 0;
  return static_cast<int>(std::max<int64_t>(1, retry_after.count()));
}

void Services::count_failure(std::string_view client_address) {
  limiter->record_failure(client_address, std::chrono::steady_clock::now());
}

std::string redis_marker_path(const Config& config) {
  return config.state_dir + "/redis-store-initialized";
}

std::unique_ptr<Services> open_services(const Config& config) {
  auto s = std::make_unique<Services>();
  s->hasher = std::make_unique<auth::TokenHasher>(
      auth::load_or_create_key(config.state_dir + "/token-hash.key"));
  if (config.store.backend == "redis") {
    store_redis::RedisStoreOptions options;
    options.url = config.store.url;
    options.prefix = config.store.prefix;
    options.key_fingerprint = s->hasher->fingerprint();
    options.state_dir = config.state_dir;
    // Once this instance has seen the store initialized, an empty Redis can only mean lost data.
    std::error_code ec;
    options.known_initialized = std::filesystem::exists(redis_marker_path(config), ec);
    try {
      auto redis = std::make_unique<store_redis::RedisStore>(std::move(options));
      s->redis = redis.get();
      s->token_store = std::move(redis);
    } catch (const store_redis::RedisStoreError& e) {
      throw std::runtime_error(e.what());
    }
  } else {
    store::FileStoreOptions store_options;
    // Beside the store, not in it: restoring a backup replaces the store and must not roll back
    // a revocation (see store/backup.h).
    store_options.ledger_path = config.state_dir + "/revocation-ledger";
    s->token_store = std::make_unique<store::FileStore>(config.store.path, s->hasher->fingerprint(),
                                                        std::move(store_options));
  }
  audit::FileAuditLogOptions audit_options;
  audit_options.retain_days = config.audit.retain_days;
  s->audit_log = std::make_unique<audit::FileAuditLog>(config.audit.path, audit_options);
  s->cache = std::make_unique<auth::ValidationCache>(config.cache.max_entries, config.cache.ttl,
                                                     config.cache.negative_ttl,
                                                     config.cache.stale_if_error);
  s->limiter = std::make_unique<auth::FailureLimiter>(config.limits.auth_failures_per_minute,
                                                      config.limits.auth_failure_burst, 65536,
                                                      config.limits.limited_lookups_per_minute);
  s->authenticator = std::make_unique<Authenticator>(*s->token_store, *s->hasher, *s->cache,
                                                     *s->limiter, config.cache.stale_if_error);
  return s;
}

}  // namespace fathom
