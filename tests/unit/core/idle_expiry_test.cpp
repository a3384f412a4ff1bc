// Tests proxy/core/idle_expiry.cpp: which tokens count as idle, and the sweep against a real
// FileStore (the last admin token is never expired idle).

#include "core/idle_expiry.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <future>

#include "../store/store_test_util.h"
#include "store/file_store.h"

namespace fathom {
namespace {

using store::store_test::TempDir;

constexpr UnixTime kDay = 86400;
constexpr UnixTime kNow = 1'800'000'000;

TokenRecord token(std::string id, std::vector<std::string> scopes, UnixTime created,
                  std::optional<UnixTime> last_used = std::nullopt) {
  TokenRecord t;
  t.token_id = std::move(id);
  static unsigned next = 0;  // a distinct hash per token
  char hash[65];
  std::snprintf(hash, sizeof hash, "%064x", ++next);
  t.secret_hash = hash;
  t.name = t.token_id;
  t.scopes = std::move(scopes);
  t.created_at = created;
  t.last_used_at = last_used;
  return t;
}

std::vector<std::string> ids(const std::vector<TokenRecord>& tokens) {
  std::vector<std::string> out;
  for (const TokenRecord& t : tokens) out.push_back(t.token_id);
  return out;
}

TEST(IdleTokens, UsesLastUseElseCreation) {
  std::vector<TokenRecord> all = {
      token("tok_a", {"lake:read"}, kNow - 100 * kDay, kNow - 31 * kDay),  // idle
      token("tok_b", {"lake:read"}, kNow - 100 * kDay, kNow - 29 * kDay),  // used lately
      token("tok_c", {"lake:read"}, kNow - 30 * kDay),                     // never used, old
      token("tok_d", {"lake:read"}, kNow - 2 * kDay),                      // never used, new
  };
  all[0].revoked_at.reset();
  EXPECT_EQ(ids(idle_tokens(all, 30, kNow)), (std::vector<std::string>{"tok_a", "tok_c"}));
  EXPECT_TRUE(idle_tokens(all, 0, kNow).empty());
}

TEST(IdleTokens, OnlyActiveTokens) {
  std::vector<TokenRecord> all = {token("tok_a", {"lake:read"}, kNow - 100 * kDay),
                                  token("tok_b", {"lake:read"}, kNow - 100 * kDay)};
  all[0].revoked_at = kNow - 50 * kDay;
  all[1].expires_at = kNow - 1;
  EXPECT_TRUE(idle_tokens(all, 30, kNow).empty());
}

TEST(ExpireIdleTokens, ExpiresIdleTokensButNeverTheLastAdmin) {
  TempDir dir;
  store::FileStore s(dir.path() / "store", "fp-test");
  auto create = [&](TokenRecord t) {
    s.create(std::move(t),
             [](StoreResult r) { ASSERT_EQ(r.status, StoreStatus::ok) << r.message; });
  };
  create(token("tok_admin1", {"admin"}, kNow - 400 * kDay));  // idle, the only admin
  create(token("tok_idle01", {"lake:read"}, kNow - 400 * kDay, kNow - 90 * kDay));
  create(token("tok_busy01", {"lake:read"}, kNow - 400 * kDay, kNow - kDay));
  // The writer applies queued writes in order: once a later write answers, the earlier have.
  auto drain = [&] {
    std::promise<void> barrier;
    s.revoke("tok_nobody", kNow, [&](StoreResult) { barrier.set_value(); });
    barrier.get_future().wait();
  };
  drain();

  expire_idle_tokens(s, nullptr, 30, kNow);
  drain();

  auto status_of = [&](const std::string& id) {
    std::optional<TokenRecord> out;
    s.get(id, [&](StoreStatus st, const TokenRecord* r) {
      if (st == StoreStatus::ok) out = *r;
    });
    return out;
  };
  EXPECT_TRUE(status_of("tok_admin1")->active(kNow)) << "the last admin token must stay";
  EXPECT_TRUE(status_of("tok_idle01")->expired(kNow));
  EXPECT_EQ(status_of("tok_idle01")->expires_at, kNow);
  EXPECT_TRUE(status_of("tok_busy01")->active(kNow));
}

}  // namespace
}  // namespace fathom
