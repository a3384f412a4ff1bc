// The token store as plugins see it: every call goes to the real store, and a successful rotation
// is also told to `on_rotated` with the old token as it is after the write. A rotation without a
// grace period changes no token's validity, so the store's invalidations never mention it; the
// daemon still needs to hear of it (the bootstrap-token file goes once its token is rotated).
#pragma once

#include <functional>
#include <utility>

#include "fathom/token_store.h"

namespace fathom {

class RotationWatchStore final : public TokenStore {
 public:
  using OnRotated = std::function<void(const TokenRecord& old)>;
  RotationWatchStore(TokenStore& inner, OnRotated on_rotated)
      : inner_(inner), on_rotated_(std::move(on_rotated)) {}

  void find_by_hash(std::string_view secret_hash,
                    const std::function<void(StoreStatus, const TokenRecord*)>& done) override {
    inner_.find_by_hash(secret_hash, done);
  }
  void get(std::string_view token_id,
           const std::function<void(StoreStatus, const TokenRecord*)>& done) override {
    inner_.get(token_id, done);
  }
  void list(const std::function<void(StoreStatus, std::vector<TokenRecord>)>& done) override {
    inner_.list(done);
  }
  bool ready() override { return inner_.ready(); }
  void create(TokenRecord record, std::function<void(StoreResult)> done) override {
    inner_.create(std::move(record), std::move(done));
  }
  void revoke(std::string_view token_id, UnixTime now,
              std::function<void(StoreResult)> done) override {
    inner_.revoke(token_id, now, std::move(done));
  }
  void rotate(std::string_view token_id, TokenRecord replacement,
              std::optional<UnixTime> old_expires_at,
              std::function<void(StoreResult)> done) override;
  void expire(std::string_view token_id, UnixTime now,
              std::function<void(StoreResult)> done) override {
    inner_.expire(token_id, now, std::move(done));
  }
  void touch(std::string_view token_id, UnixTime when) override { inner_.touch(token_id, when); }
  void list_pair_codes(
      UnixTime now,
      const std::function<void(StoreStatus, std::vector<PairCodeRecord>)>& done) override {
    inner_.list_pair_codes(now, done);
  }
  void create_pair_code(PairCodeRecord code, std::function<void(StoreResult)> done) override {
    inner_.create_pair_code(std::move(code), std::move(done));
  }
  void cancel_pair_code(std::string_view pair_code_id, UnixTime now,
                        std::function<void(StoreResult)> done) override {
    inner_.cancel_pair_code(pair_code_id, now, std::move(done));
  }
  void redeem_pair_code(std::string_view code_hash, TokenRecord token,
                        std::function<void(StoreResult)> done) override {
    inner_.redeem_pair_code(code_hash, std::move(token), std::move(done));
  }
  void quiesce() override { inner_.quiesce(); }
  void subscribe(std::function<void(const Invalidation&)> on_invalidated) override {
    inner_.subscribe(std::move(on_invalidated));
  }
  bool invalidations_live() override { return inner_.invalidations_live(); }

 private:
  TokenStore& inner_;
  const OnRotated on_rotated_;
};

}  // namespace fathom
