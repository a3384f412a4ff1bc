// One suite, two backends: every test body runs against the embedded file store and against the
// Redis store (a real redis-server on a free port), and must see the same answers. Where a test
// opens two instances, the Redis store gets two RedisStore objects on one Redis (two proxies);
// the file store, which one process holds locked, gets its one instance twice.
#include <atomic>
#include <thread>

#include "store/file_store.h"
#include "store_harness.h"
#include "store_redis/redis_store.h"
#include "support/redis_server.h"
#include "support/temp_dir.h"

namespace fathom::store_conformance {
namespace {

constexpr const char* kFingerprint = "fp-conformance";

class FileBackend final : public Backend {
 public:
  TokenStore& open() override {
    if (!store_) {
      store::FileStoreOptions options;
      options.touch_flush_interval = std::chrono::milliseconds(50);
      store_ = std::make_unique<store::FileStore>(dir_.file("store"), kFingerprint, options);
    }
    return *store_;
  }
  void close() override { store_.reset(); }
  bool shares_between_instances() const override { return false; }

 private:
  test::TempDir dir_;
  std::unique_ptr<store::FileStore> store_;
};

class RedisBackend final : public Backend {
 public:
  TokenStore& open() override {
    store_redis::RedisStoreOptions options;
    options.url = server_.url();
    options.key_fingerprint = kFingerprint;
    options.touch_flush_interval = std::chrono::milliseconds(50);
    stores_.push_back(std::make_unique<store_redis::RedisStore>(options));
    EXPECT_TRUE(stores_.back()->wait_ready(kAnswerBound)) << stores_.back()->problem();
    // Events published before the subscription is confirmed would be missed by this instance.
    auto bound = std::chrono::steady_clock::now() + kAnswerBound;
    while (!stores_.back()->subscribed() && std::chrono::steady_clock::now() < bound) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_TRUE(stores_.back()->subscribed());
    return *stores_.back();
  }
  void close() override { stores_.clear(); }
  bool shares_between_instances() const override { return true; }

 private:
  test::RedisServer server_;
  std::vector<std::unique_ptr<store_redis::RedisStore>> stores_;
};

}  // namespace

std::vector<BackendFactory> backends() {
  return {{"file", [] { return std::make_unique<FileBackend>(); }},
          {"redis", [] { return std::make_unique<RedisBackend>(); }}};
}

namespace {

class StoreConformance : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override { backend_ = GetParam().make(); }
  void TearDown() override { backend_->close(); }
  std::unique_ptr<Backend> backend_;
};

TEST_P(StoreConformance, CreateGetFindAndList) {
  TokenStore& s = backend_->open();
  ASSERT_TRUE(s.ready());
  ASSERT_EQ(create_sync(s, token("tok_b", {"lake:read"}, 2000)).status, StoreStatus::ok);
  ASSERT_EQ(create_sync(s, token("tok_c", {}, 1000)).status, StoreStatus::ok);
  TokenRecord a = token("tok_a", {"lake:read", "lake:write"}, 2000);
  a.expires_at = 9000;
  a.name = "naïve \"quoted\" name";
  StoreResult created = create_sync(s, a);
  ASSERT_EQ(created.status, StoreStatus::ok);
  ASSERT_TRUE(created.token);
  EXPECT_EQ(created.token->name, a.name);

  Read got = get_sync(s, "tok_a");
  ASSERT_EQ(got.status, StoreStatus::ok);
  EXPECT_EQ(got.record->secret_hash, "hash-tok_a");
  EXPECT_EQ(got.record->name, a.name);
  EXPECT_EQ(got.record->scopes, a.scopes);
  EXPECT_EQ(got.record->expires_at, std::optional<UnixTime>(9000));
  EXPECT_EQ(got.record->created_by, "tok_creator");
  EXPECT_FALSE(got.record->revoked_at);
  EXPECT_TRUE(get_sync(s, "tok_c").record->scopes.empty());

  Read found = find_sync(s, "hash-tok_b");
  ASSERT_EQ(found.status, StoreStatus::ok);
  EXPECT_EQ(found.record->token_id, "tok_b");
  EXPECT_EQ(find_sync(s, "hash-nobody").status, StoreStatus::not_found);
  EXPECT_EQ(get_sync(s, "tok_nobody").status, StoreStatus::not_found);

  std::vector<TokenRecord> all = list_sync(s);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].token_id, "tok_c");  // oldest first, then by id
  EXPECT_EQ(all[1].token_id, "tok_a");
  EXPECT_EQ(all[2].token_id, "tok_b");

  TokenRecord same_id = token("tok_a");
  same_id.secret_hash = "another";
  EXPECT_EQ(create_sync(s, same_id).status, StoreStatus::conflict);
  TokenRecord same_hash = token("tok_d");
  same_hash.secret_hash = "hash-tok_a";
  EXPECT_EQ(create_sync(s, same_hash).status, StoreStatus::conflict);
  EXPECT_EQ(create_sync(s, token("")).status, StoreStatus::conflict);
}

TEST_P(StoreConformance, RevokeIsIdempotentAndKeepsTheLastAdmin) {
  TokenStore& s = backend_->open();
  Heard heard;
  heard.attach(s);
  ASSERT_EQ(create_sync(s, admin("tok_admin1")).status, StoreStatus::ok);
  ASSERT_EQ(create_sync(s, admin("tok_admin2")).status, StoreStatus::ok);
  ASSERT_EQ(create_sync(s, token("tok_user")).status, StoreStatus::ok);

  // The subscriber hears of the revocation before the revoke's own callback runs.
  std::atomic<size_t> heard_before_done{0};
  auto f = start([&](auto done) {
    s.revoke("tok_user", 1500, [&, done](StoreResult r) {
      heard_before_done = heard.count("tok_user");
      done(std::move(r));
    });
  });
  StoreResult r = finish(std::move(f));
  ASSERT_EQ(r.status, StoreStatus::ok);
  EXPECT_EQ(r.token->revoked_at, std::optional<UnixTime>(1500));
  EXPECT_EQ(heard_before_done.load(), 1u);

  StoreResult again = revoke_sync(s, "tok_user", 1700);
  EXPECT_EQ(again.status, StoreStatus::ok);
  EXPECT_EQ(again.token->revoked_at, std::optional<UnixTime>(1500));
  EXPECT_EQ(heard.count("tok_user"), 1u);
  EXPECT_EQ(get_sync(s, "tok_user").record->revoked_at, std::optional<UnixTime>(1500));

  EXPECT_EQ(revoke_sync(s, "tok_nobody", 1500).status, StoreStatus::not_found);
  EXPECT_EQ(revoke_sync(s, "tok_admin1", 1500).status, StoreStatus::ok);
  StoreResult last = revoke_sync(s, "tok_admin2", 1500);
  EXPECT_EQ(last.status, StoreStatus::conflict);
  EXPECT_NE(last.message.find("last lasting admin"), std::string::npos);
  EXPECT_FALSE(get_sync(s, "tok_admin2").record->revoked());

  // An admin that expired does not count: a second one, expired, leaves admin2 the last.
  TokenRecord expired = admin("tok_admin3");
  expired.expires_at = 1200;
  ASSERT_EQ(create_sync(s, expired).status, StoreStatus::ok);
  EXPECT_EQ(revoke_sync(s, "tok_admin2", 1500).status, StoreStatus::conflict);
  // Neither tokens:manage nor an admin that expires within 24 hours counts.
  ASSERT_EQ(create_sync(s, token("tok_manager", {"tokens:manage"})).status, StoreStatus::ok);
  TokenRecord brief = admin("tok_brief");
  brief.expires_at = 1500 + 86400;
  ASSERT_EQ(create_sync(s, brief).status, StoreStatus::ok);
  EXPECT_EQ(revoke_sync(s, "tok_admin2", 1500).status, StoreStatus::conflict);
  EXPECT_EQ(expire_sync(s, "tok_admin2", 1500).status, StoreStatus::conflict);
  EXPECT_EQ(revoke_sync(s, "tok_brief", 1500).status, StoreStatus::ok);
  // An admin a second more than a day from its expiry does.
  TokenRecord lasting = admin("tok_lasting");
  lasting.expires_at = 1500 + 86401;
  ASSERT_EQ(create_sync(s, lasting).status, StoreStatus::ok);
  EXPECT_EQ(revoke_sync(s, "tok_admin2", 1500).status, StoreStatus::ok);
}

TEST_P(StoreConformance, EndingATokenCancelsItsPendingCodesAndRedeemRechecksTheCreator) {
  TokenStore& s = backend_->open();
  ASSERT_EQ(create_sync(s, admin("tok_admin")).status, StoreStatus::ok);
  ASSERT_EQ(create_sync(s, token("tok_m", {"tokens:manage", "lake:read", "lake:write"})).status,
            StoreStatus::ok);
  ASSERT_EQ(create_sync(s, token("tok_e", {"tokens:manage", "lake:read", "lake:write"})).status,
            StoreStatus::ok);
  PairCodeRecord mine = pair_code("pc_mine");
  mine.created_by = "tok_m";
  PairCodeRecord kept = pair_code("pc_kept");
  PairCodeRecord of_e = pair_code("pc_e");
  of_e.created_by = "tok_e";
  for (const PairCodeRecord& c : {mine, kept, of_e}) {
    ASSERT_EQ(create_code_sync(s, c).status, StoreStatus::ok);
  }
  StoreResult revoked = revoke_sync(s, "tok_m", 1500);
  ASSERT_EQ(revoked.status, StoreStatus::ok);
  ASSERT_EQ(revoked.cancelled_pair_codes.size(), 1u);
  EXPECT_EQ(revoked.cancelled_pair_codes[0].pair_code_id, "pc_mine");
  EXPECT_EQ(revoked.cancelled_pair_codes[0].cancelled_at, std::optional<UnixTime>(1500));
  StoreResult expired = expire_sync(s, "tok_e", 1500);
  ASSERT_EQ(expired.status, StoreStatus::ok);
  ASSERT_EQ(expired.cancelled_pair_codes.size(), 1u);
  EXPECT_EQ(expired.cancelled_pair_codes[0].pair_code_id, "pc_e");
  std::vector<PairCodeRecord> pending = pair_codes_sync(s, 1600);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].pair_code_id, "pc_kept");
  EXPECT_EQ(redeem_sync(s, "code-hash-pc_mine", token("tok_x", {}, 1600)).status,
            StoreStatus::invalid_grant);

  // A code whose creator no longer holds its scopes, or is gone, is refused at redemption.
  ASSERT_EQ(create_sync(s, token("tok_reader", {"lake:read"})).status, StoreStatus::ok);
  PairCodeRecord beyond = pair_code("pc_beyond");  // lake:read and lake:write
  beyond.created_by = "tok_reader";
  ASSERT_EQ(create_code_sync(s, beyond).status, StoreStatus::ok);
  EXPECT_EQ(redeem_sync(s, "code-hash-pc_beyond", token("tok_y", {}, 1600)).status,
            StoreStatus::invalid_grant);
  PairCodeRecord orphan = pair_code("pc_orphan");
  orphan.created_by = "tok_nobody";
  ASSERT_EQ(create_code_sync(s, orphan).status, StoreStatus::ok);
  EXPECT_EQ(redeem_sync(s, "code-hash-pc_orphan", token("tok_z", {}, 1600)).status,
            StoreStatus::invalid_grant);
  // Revoked by time alone (a pair code made before its creator's expiry): refused too.
  TokenRecord brief = token("tok_brief", {"tokens:manage", "lake:read", "lake:write"});
  brief.expires_at = 1550;
  ASSERT_EQ(create_sync(s, brief).status, StoreStatus::ok);
  PairCodeRecord late = pair_code("pc_late");
  late.created_by = "tok_brief";
  ASSERT_EQ(create_code_sync(s, late).status, StoreStatus::ok);
  EXPECT_EQ(redeem_sync(s, "code-hash-pc_late", token("tok_w", {}, 1600)).status,
            StoreStatus::invalid_grant);
  EXPECT_EQ(redeem_sync(s, "code-hash-pc_kept", token("tok_v", {}, 1600)).status, StoreStatus::ok);
}

TEST_P(StoreConformance, TwoAdminsRevokingEachOtherLeaveOne) {
  TokenStore& one = backend_->open();
  TokenStore& two = backend_->open();
  ASSERT_EQ(create_sync(one, admin("tok_survivor0")).status, StoreStatus::ok);
  std::string survivor = "tok_survivor0";
  for (int round = 1; round <= 10; ++round) {
    std::string other = "tok_other" + std::to_string(round);
    ASSERT_EQ(create_sync(two, admin(other, 1000 + round)).status, StoreStatus::ok);
    auto a = start([&](auto done) { one.revoke(survivor, 1500, std::move(done)); });
    auto b = start([&](auto done) { two.revoke(other, 1500, std::move(done)); });
    StoreResult ra = finish(std::move(a));
    StoreResult rb = finish(std::move(b));
    int oks = (ra.status == StoreStatus::ok) + (rb.status == StoreStatus::ok);
    int conflicts = (ra.status == StoreStatus::conflict) + (rb.status == StoreStatus::conflict);
    ASSERT_EQ(oks, 1) << "round " << round;
    ASSERT_EQ(conflicts, 1) << "round " << round;
    if (ra.status == StoreStatus::ok) survivor = other;
    EXPECT_TRUE(get_sync(one, survivor).record->active(1500));
  }
}

TEST_P(StoreConformance, Rotate) {
  TokenStore& s = backend_->open();
  Heard heard;
  heard.attach(s);
  TokenRecord old = token("tok_old", {"lake:read"}, 1000);
  old.expires_at = 5000;
  ASSERT_EQ(create_sync(s, old).status, StoreStatus::ok);

  TokenRecord replacement = token("tok_new", {"lake:read"}, 2000);
  replacement.rotated_from = "tok_old";
  StoreResult r = rotate_sync(s, "tok_old", replacement, 2600);
  ASSERT_EQ(r.status, StoreStatus::ok);
  EXPECT_EQ(r.token->rotated_to, "tok_new");
  EXPECT_EQ(r.token->expires_at, std::optional<UnixTime>(2600));
  ASSERT_TRUE(r.created);
  EXPECT_EQ(r.created->rotated_from, "tok_old");
  EXPECT_TRUE(heard.wait_for_token("tok_old"));
  EXPECT_EQ(get_sync(s, "tok_new").status, StoreStatus::ok);

  // Rotating twice, an unknown token or an inactive one are refused.
  EXPECT_EQ(rotate_sync(s, "tok_old", token("tok_new2", {}, 2100), std::nullopt).status,
            StoreStatus::conflict);
  EXPECT_EQ(rotate_sync(s, "tok_nobody", token("tok_new3", {}, 2100), std::nullopt).status,
            StoreStatus::not_found);
  ASSERT_EQ(create_sync(s, token("tok_gone")).status, StoreStatus::ok);
  ASSERT_EQ(revoke_sync(s, "tok_gone", 1100).status, StoreStatus::ok);
  StoreResult revoked = rotate_sync(s, "tok_gone", token("tok_new4", {}, 2100), std::nullopt);
  EXPECT_EQ(revoked.status, StoreStatus::conflict);
  EXPECT_NE(revoked.message.find("revoked"), std::string::npos);

  // A grace period never lengthens a life: the earlier expiry stays, and nobody is told.
  TokenRecord short_lived = token("tok_short", {}, 1000);
  short_lived.expires_at = 2200;
  ASSERT_EQ(create_sync(s, short_lived).status, StoreStatus::ok);
  StoreResult kept = rotate_sync(s, "tok_short", token("tok_short2", {}, 2000), 3000);
  ASSERT_EQ(kept.status, StoreStatus::ok);
  EXPECT_EQ(kept.token->expires_at, std::optional<UnixTime>(2200));
  EXPECT_EQ(heard.count("tok_short"), 0u);

  // The last admin may not narrow itself away.
  ASSERT_EQ(create_sync(s, admin("tok_root")).status, StoreStatus::ok);
  StoreResult narrowed = rotate_sync(s, "tok_root", token("tok_root2", {"lake:read"}, 2000), 2100);
  EXPECT_EQ(narrowed.status, StoreStatus::conflict);
}

TEST_P(StoreConformance, Expire) {
  TokenStore& s = backend_->open();
  Heard heard;
  heard.attach(s);
  ASSERT_EQ(create_sync(s, admin("tok_admin")).status, StoreStatus::ok);
  ASSERT_EQ(create_sync(s, token("tok_idle")).status, StoreStatus::ok);
  StoreResult r = expire_sync(s, "tok_idle", 1800);
  ASSERT_EQ(r.status, StoreStatus::ok);
  EXPECT_EQ(r.token->expires_at, std::optional<UnixTime>(1800));
  EXPECT_EQ(heard.count("tok_idle"), 1u);
  StoreResult again = expire_sync(s, "tok_idle", 1900);
  EXPECT_EQ(again.status, StoreStatus::ok);
  EXPECT_EQ(again.token->expires_at, std::optional<UnixTime>(1800));
  EXPECT_EQ(heard.count("tok_idle"), 1u);
  EXPECT_EQ(expire_sync(s, "tok_admin", 1800).status, StoreStatus::conflict);
  EXPECT_EQ(expire_sync(s, "tok_nobody", 1800).status, StoreStatus::not_found);
}

TEST_P(StoreConformance, TouchShowsAtOnceAndIsKept) {
  {
    TokenStore& s = backend_->open();
    ASSERT_EQ(create_sync(s, token("tok_used")).status, StoreStatus::ok);
    s.touch("tok_used", 3000);
    s.touch("tok_used", 2500);  // never backwards
    s.touch("tok_nobody", 3000);
    EXPECT_EQ(get_sync(s, "tok_used").record->last_used_at, std::optional<UnixTime>(3000));
    EXPECT_EQ(list_sync(s).at(0).last_used_at, std::optional<UnixTime>(3000));
  }
  backend_->close();  // writes pending touches
  TokenStore& reopened = backend_->open();
  EXPECT_EQ(get_sync(reopened, "tok_used").record->last_used_at, std::optional<UnixTime>(3000));
  EXPECT_EQ(get_sync(reopened, "tok_nobody").status, StoreStatus::not_found);
}

TEST_P(StoreConformance, PairCodes) {
  TokenStore& s = backend_->open();
  ASSERT_EQ(create_sync(s, admin("tok_admin")).status, StoreStatus::ok);  // the codes' creator
  ASSERT_EQ(create_code_sync(s, pair_code("pc_one", 1000, 2000)).status, StoreStatus::ok);
  ASSERT_EQ(create_code_sync(s, pair_code("pc_two", 1100, 2000)).status, StoreStatus::ok);
  EXPECT_EQ(create_code_sync(s, pair_code("pc_one")).status, StoreStatus::conflict);

  std::vector<PairCodeRecord> pending = pair_codes_sync(s, 1500);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].pair_code_id, "pc_one");
  EXPECT_EQ(pending[0].scopes, (std::vector<std::string>{"lake:read", "lake:write"}));
  EXPECT_TRUE(pair_codes_sync(s, 2000).empty());  // expired at expires_at

  StoreResult cancelled = cancel_code_sync(s, "pc_two", 1500);
  ASSERT_EQ(cancelled.status, StoreStatus::ok);
  EXPECT_EQ(cancelled.pair_code->cancelled_at, std::optional<UnixTime>(1500));
  EXPECT_EQ(cancel_code_sync(s, "pc_two", 1500).status, StoreStatus::not_found);
  EXPECT_EQ(cancel_code_sync(s, "pc_nobody", 1500).status, StoreStatus::not_found);
  EXPECT_EQ(redeem_sync(s, "code-hash-pc_two", token("tok_x", {}, 1600)).status,
            StoreStatus::invalid_grant);

  TokenRecord minted;
  minted.token_id = "tok_agent";
  minted.secret_hash = "hash-agent";
  minted.created_at = 1600;
  StoreResult redeemed = redeem_sync(s, "code-hash-pc_one", minted);
  ASSERT_EQ(redeemed.status, StoreStatus::ok);
  EXPECT_EQ(redeemed.token->name, "agent pc_one");
  EXPECT_EQ(redeemed.token->scopes, (std::vector<std::string>{"lake:read", "lake:write"}));
  EXPECT_EQ(redeemed.token->created_by, "tok_admin");
  EXPECT_EQ(redeemed.pair_code->redeemed_at, std::optional<UnixTime>(1600));
  EXPECT_EQ(redeemed.pair_code->token_id, "tok_agent");
  EXPECT_EQ(find_sync(s, "hash-agent").record->token_id, "tok_agent");
  EXPECT_TRUE(pair_codes_sync(s, 1600).empty());

  TokenRecord second = minted;
  second.token_id = "tok_agent2";
  second.secret_hash = "hash-agent2";
  EXPECT_EQ(redeem_sync(s, "code-hash-pc_one", second).status, StoreStatus::invalid_grant);
  ASSERT_EQ(create_code_sync(s, pair_code("pc_late", 1000, 1700)).status, StoreStatus::ok);
  EXPECT_EQ(redeem_sync(s, "code-hash-pc_late", token("tok_late", {}, 1700)).status,
            StoreStatus::invalid_grant);
  EXPECT_EQ(redeem_sync(s, "code-hash-unknown", token("tok_u", {}, 1100)).status,
            StoreStatus::invalid_grant);
}

TEST_P(StoreConformance, ConcurrentRedeemsOfOneCodeHaveOneWinner) {
  TokenStore& one = backend_->open();
  TokenStore& two = backend_->open();
  ASSERT_EQ(create_sync(one, admin("tok_admin")).status, StoreStatus::ok);  // the code's creator
  ASSERT_EQ(create_code_sync(one, pair_code("pc_race")).status, StoreStatus::ok);
  std::vector<std::future<StoreResult>> racing;
  for (int i = 0; i < 20; ++i) {
    TokenStore& s = i % 2 == 0 ? one : two;
    TokenRecord t;
    t.token_id = "tok_racer" + std::to_string(i);
    t.secret_hash = "hash-racer" + std::to_string(i);
    t.created_at = 1500;
    racing.push_back(start([&](auto done) {
      s.redeem_pair_code("code-hash-pc_race", std::move(t), std::move(done));
    }));
  }
  int ok = 0;
  int refused = 0;
  for (auto& f : racing) {
    StoreResult r = finish(std::move(f));
    ok += r.status == StoreStatus::ok;
    refused += r.status == StoreStatus::invalid_grant;
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(refused, 19);
  StoreStatus status;
  EXPECT_EQ(list_sync(two, &status).size(), 2u);  // the creator and the winner
  EXPECT_EQ(status, StoreStatus::ok);
}

TEST_P(StoreConformance, SubscribersHearRevocationsMadeElsewhere) {
  TokenStore& writer = backend_->open();
  TokenStore& listener = backend_->open();
  Heard heard;
  heard.attach(listener);
  ASSERT_EQ(create_sync(writer, token("tok_a")).status, StoreStatus::ok);
  ASSERT_EQ(create_sync(writer, token("tok_b")).status, StoreStatus::ok);
  ASSERT_EQ(revoke_sync(writer, "tok_a", 1500).status, StoreStatus::ok);
  ASSERT_EQ(expire_sync(writer, "tok_b", 1500).status, StoreStatus::ok);
  EXPECT_TRUE(heard.wait_for_token("tok_a"));
  EXPECT_TRUE(heard.wait_for_token("tok_b"));
  EXPECT_EQ(find_sync(listener, "hash-tok_a").record->revoked_at, std::optional<UnixTime>(1500));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::ValuesIn(backends()),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace fathom::store_conformance
