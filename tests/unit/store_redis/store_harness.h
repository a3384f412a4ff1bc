// The conformance harness: one backend per parameter (the file store, the Redis store), each
// able to open store instances over one shared dataset, and synchronous wrappers that wait for
// a call's callback with a future — the Redis store answers every call, reads included, on its
// own thread.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fathom/token_store.h"

namespace fathom::store_conformance {

// Bounds every wait, so that a store that never answers fails the test instead of hanging it.
inline constexpr std::chrono::seconds kAnswerBound{20};

class Backend {
 public:
  virtual ~Backend() = default;
  // A store over this backend's dataset. Instances of a backend that cannot share (the file
  // store's lock) come back as the same instance; close() ends them all.
  virtual TokenStore& open() = 0;
  virtual void close() = 0;
  virtual bool shares_between_instances() const = 0;
};

struct BackendFactory {
  std::string name;
  std::function<std::unique_ptr<Backend>()> make;
};
std::vector<BackendFactory> backends();

template <typename T>
T wait_for(std::future<T>& f) {
  if (f.wait_for(kAnswerBound) != std::future_status::ready) {
    ADD_FAILURE() << "the store did not answer";
    return T{};
  }
  return f.get();
}

struct Read {
  StoreStatus status = StoreStatus::unavailable;
  std::optional<TokenRecord> record;
};

inline Read get_sync(TokenStore& store, std::string_view id) {
  auto p = std::make_shared<std::promise<Read>>();
  auto f = p->get_future();
  store.get(id, [p](StoreStatus s, const TokenRecord* r) {
    p->set_value(Read{s, r ? std::optional<TokenRecord>(*r) : std::nullopt});
  });
  return wait_for(f);
}

inline Read find_sync(TokenStore& store, std::string_view hash) {
  auto p = std::make_shared<std::promise<Read>>();
  auto f = p->get_future();
  store.find_by_hash(hash, [p](StoreStatus s, const TokenRecord* r) {
    p->set_value(Read{s, r ? std::optional<TokenRecord>(*r) : std::nullopt});
  });
  return wait_for(f);
}

inline std::vector<TokenRecord> list_sync(TokenStore& store, StoreStatus* status_out = nullptr) {
  auto p = std::make_shared<std::promise<std::pair<StoreStatus, std::vector<TokenRecord>>>>();
  auto f = p->get_future();
  store.list([p](StoreStatus s, std::vector<TokenRecord> all) {
    p->set_value({s, std::move(all)});
  });
  auto [status, all] = wait_for(f);
  if (status_out) *status_out = status;
  return all;
}

inline std::vector<PairCodeRecord> pair_codes_sync(TokenStore& store, UnixTime now) {
  auto p = std::make_shared<std::promise<std::vector<PairCodeRecord>>>();
  auto f = p->get_future();
  store.list_pair_codes(
      now, [p](StoreStatus, std::vector<PairCodeRecord> codes) { p->set_value(std::move(codes)); });
  return wait_for(f);
}

// Starts a write and hands back its future: for racing several at once.
inline std::future<StoreResult> start(
    const std::function<void(std::function<void(StoreResult)>)>& call) {
  auto p = std::make_shared<std::promise<StoreResult>>();
  auto f = p->get_future();
  call([p](StoreResult r) { p->set_value(std::move(r)); });
  return f;
}

inline StoreResult finish(std::future<StoreResult> f) {
  return wait_for(f);
}

inline StoreResult create_sync(TokenStore& s, TokenRecord t) {
  return finish(start([&](auto done) { s.create(std::move(t), std::move(done)); }));
}
inline StoreResult revoke_sync(TokenStore& s, std::string_view id, UnixTime now) {
  return finish(start([&](auto done) { s.revoke(id, now, std::move(done)); }));
}
inline StoreResult expire_sync(TokenStore& s, std::string_view id, UnixTime now) {
  return finish(start([&](auto done) { s.expire(id, now, std::move(done)); }));
}
inline StoreResult rotate_sync(TokenStore& s, std::string_view id, TokenRecord replacement,
                               std::optional<UnixTime> old_expires_at) {
  return finish(start(
      [&](auto done) { s.rotate(id, std::move(replacement), old_expires_at, std::move(done)); }));
}
inline StoreResult create_code_sync(TokenStore& s, PairCodeRecord code) {
  return finish(start([&](auto done) { s.create_pair_code(std::move(code), std::move(done)); }));
}
inline StoreResult cancel_code_sync(TokenStore& s, std::string_view id, UnixTime now) {
  return finish(start([&](auto done) { s.cancel_pair_code(id, now, std::move(done)); }));
}
inline StoreResult redeem_sync(TokenStore& s, std::string_view hash, TokenRecord token) {
  return finish(
      start([&](auto done) { s.redeem_pair_code(hash, std::move(token), std::move(done)); }));
}

inline TokenRecord token(const std::string& id, std::vector<std::string> scopes = {"lake:read"},
                         UnixTime created_at = 1000) {
  TokenRecord t;
  t.token_id = id;
  t.secret_hash = "hash-" + id;
  t.name = "name of " + id;
  t.scopes = std::move(scopes);
  t.created_at = created_at;
  t.created_by = "tok_creator";
  return t;
}

inline TokenRecord admin(const std::string& id, UnixTime created_at = 1000) {
  return token(id, {"admin"}, created_at);
}

inline PairCodeRecord pair_code(const std::string& id, UnixTime created_at = 1000,
                                UnixTime expires_at = 2000) {
  PairCodeRecord c;
  c.pair_code_id = id;
  c.code_hash = "code-hash-" + id;
  c.name = "agent " + id;
  c.scopes = {"lake:read", "lake:write"};
  c.created_at = created_at;
  c.expires_at = expires_at;
  c.created_by = "tok_admin";
  return c;
}

// Collects invalidations heard by a store's subscribers; wait_for_token blocks until one names
// the token (or the bound passes).
class Heard {
 public:
  void attach(TokenStore& store) {
    store.subscribe([this](const Invalidation& inv) {
      std::lock_guard lock(mu_);
      heard_.push_back(inv);
      cv_.notify_all();
    });
  }
  bool wait_for_token(const std::string& token_id) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kAnswerBound, [&] { return count_locked(token_id) > 0; });
  }
  size_t count(const std::string& token_id) {
    std::lock_guard lock(mu_);
    return count_locked(token_id);
  }

 private:
  size_t count_locked(const std::string& token_id) const {
    size_t n = 0;
    for (const Invalidation& inv : heard_) n += inv.token_id == token_id;
    return n;
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Invalidation> heard_;
};

}  // namespace fathom::store_conformance
