#include "core/services.h"

#include "auth/token_format.h"
#include "store/file_store.h"

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

std::unique_ptr<Services> open_services(const Config& config) {
  auto s = std::make_unique<Services>();
  s->hasher = std::make_unique<auth::TokenHasher>(
      auth::load_or_create_key(config.state_dir + "/token-hash.key"));
  s->token_store = std::make_unique<store::FileStore>(config.store.path, s->hasher->fingerprint());
  s->cache = std::make_unique<auth::ValidationCache>(config.cache.max_entries, config.cache.ttl,
                                                     config.cache.negative_ttl);
  s->limiter = std::make_unique<auth::FailureLimiter>(config.limits.auth_failures_per_minute,
                                                      config.limits.auth_failure_burst);
  s->authenticator =
      std::make_unique<Authenticator>(*s->token_store, *s->hasher, *s->cache, *s->limiter);
  return s;
}

}  // namespace fathom
