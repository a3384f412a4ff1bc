// Tests the pair code writes of proxy/store/file_store.cpp: create, list, cancel and redeem, the
// one-winner rule under 20 concurrent redeems, persistence across reopen and compaction, the
// retention of finished codes, and that a redeem is one journal record at every crash point.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "store/file_store.h"
#include "store/frame.h"
#include "store/token_codec.h"
#include "store_test_util.h"

namespace fathom::store {
namespace {

using namespace fathom::store::store_test;

constexpr const char* kKey = "fp-test-key";
// Far enough ahead that no wall clock running these tests reaches it.
constexpr UnixTime kFarFuture = 4'000'000'000;

class FileStorePairCodeTest : public ::testing::Test {
 protected:
  // With the codes' creator in it: a code whose creator is unknown never redeems.
  std::unique_ptr<FileStore> open(FileStoreOptions options = {}) {
    auto store = std::make_unique<FileStore>(store_dir(), kKey, std::move(options));
    if (!get_copy(*store, "tok_pairer")) {
      create_sync(*store, make_token("tok_pairer", {"tokens:manage", "lake:read", "lake:write"}));
    }
    return store;
  }
  std::filesystem::path store_dir() const { return dir_.path() / "store"; }
  std::filesystem::path journal() const { return store_dir() / "journal"; }

  TempDir dir_;
};

std::vector<std::string> ids_of(const std::vector<PairCodeRecord>& codes) {
  std::vector<std::string> ids;
  for (const PairCodeRecord& c : codes) ids.push_back(c.pair_code_id);
  return ids;
}

TEST_F(FileStorePairCodeTest, CreateAndListPendingOldestFirst) {
  auto store = open();
  PairCodeRecord later = make_pair_code("pc_later");
  later.created_at = 1100;
  StoreResult r = create_pair_code_sync(*store, later);
  ASSERT_EQ(r.status, StoreStatus::ok) << r.message;
  ASSERT_TRUE(r.pair_code);
  EXPECT_EQ(r.pair_code->pair_code_id, "pc_later");
  ASSERT_EQ(create_pair_code_sync(*store, make_pair_code("pc_first")).status, StoreStatus::ok);
  ASSERT_EQ(create_pair_code_sync(*store, make_pair_code("pc_short", 1200)).status,
            StoreStatus::ok);

  EXPECT_EQ(ids_of(pending_codes(*store, 1150)),
            (std::vector<std::string>{"pc_first", "pc_short", "pc_later"}));
  // pc_short expires at 1200: not pending from then on.
  EXPECT_EQ(ids_of(pending_codes(*store, 1200)),
            (std::vector<std::string>{"pc_first", "pc_later"}));

  EXPECT_EQ(create_pair_code_sync(*store, make_pair_code("pc_first")).status,
            StoreStatus::conflict);
  PairCodeRecord same_hash = make_pair_code("pc_other");
  same_hash.code_hash = "code-hash-pc_first";
  EXPECT_EQ(create_pair_code_sync(*store, same_hash).status, StoreStatus::conflict);
}

TEST_F(FileStorePairCodeTest, RedeemMintsTheCodesTokenOnce) {
  auto store = open();
  PairCodeRecord code = make_pair_code("pc_1");
  code.scopes = {"lake:read", "lake:write"};
  create_pair_code_sync(*store, code);

  StoreResult r = redeem_sync(*store, "code-hash-pc_1", "tok_agent", 1100);
  ASSERT_EQ(r.status, StoreStatus::ok) << r.message;
  ASSERT_TRUE(r.token);
  EXPECT_EQ(r.token->token_id, "tok_agent");
  EXPECT_EQ(r.token->name, "agent of pc_1");
  EXPECT_EQ(r.token->scopes, (std::vector<std::string>{"lake:read", "lake:write"}));
  EXPECT_EQ(r.token->created_by, "tok_pairer");
  EXPECT_EQ(r.token->created_at, 1100);
  ASSERT_TRUE(r.pair_code);
  EXPECT_EQ(r.pair_code->redeemed_at, 1100);
  EXPECT_EQ(r.pair_code->token_id, "tok_agent");

  std::optional<TokenRecord> stored = get_copy(*store, "tok_agent");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->name, "agent of pc_1");
  EXPECT_TRUE(pending_codes(*store, 1100).empty());

  StoreResult again = redeem_sync(*store, "code-hash-pc_1", "tok_agent2", 1101);
  EXPECT_EQ(again.status, StoreStatus::invalid_grant);
  EXPECT_EQ(again.message, "the pair code is unknown, used, cancelled or expired");
  EXPECT_FALSE(get_copy(*store, "tok_agent2"));
}

TEST_F(FileStorePairCodeTest, ExpiredCancelledAndUnknownCodesAreInvalidGrants) {
  auto store = open();
  create_pair_code_sync(*store, make_pair_code("pc_expiring", 1600));
  create_pair_code_sync(*store, make_pair_code("pc_cancelled"));

  EXPECT_EQ(redeem_sync(*store, "code-hash-pc_expiring", "tok_late", 1600).status,
            StoreStatus::invalid_grant);

  StoreResult cancelled = cancel_pair_code_sync(*store, "pc_cancelled", 1200);
  ASSERT_EQ(cancelled.status, StoreStatus::ok) << cancelled.message;
  EXPECT_EQ(cancelled.pair_code->cancelled_at, 1200);
  EXPECT_EQ(redeem_sync(*store, "code-hash-pc_cancelled", "tok_c", 1300).status,
            StoreStatus::invalid_grant);

  EXPECT_EQ(redeem_sync(*store, "code-hash-nothing", "tok_n", 1300).status,
            StoreStatus::invalid_grant);
  EXPECT_EQ(list_all(*store).size(), 1u);  // the codes' creator alone
}

TEST_F(FileStorePairCodeTest, CancelOnlyAPendingCode) {
  auto store = open();
  create_pair_code_sync(*store, make_pair_code("pc_1"));
  create_pair_code_sync(*store, make_pair_code("pc_used"));
  redeem_sync(*store, "code-hash-pc_used", "tok_a", 1100);

  StoreResult missing = cancel_pair_code_sync(*store, "pc_missing", 1100);
  EXPECT_EQ(missing.status, StoreStatus::not_found);
  EXPECT_EQ(missing.message, "no pending pair code with id pc_missing");
  EXPECT_EQ(cancel_pair_code_sync(*store, "pc_used", 1100).status, StoreStatus::not_found);
  EXPECT_EQ(cancel_pair_code_sync(*store, "pc_1", 1600).status, StoreStatus::not_found);  // expired
  EXPECT_EQ(cancel_pair_code_sync(*store, "pc_1", 1500).status, StoreStatus::ok);
  EXPECT_EQ(cancel_pair_code_sync(*store, "pc_1", 1501).status, StoreStatus::not_found);
}

TEST_F(FileStorePairCodeTest, TwentyConcurrentRedeemsHaveOneWinner) {
  auto store = open();
  for (int round = 0; round < 10; ++round) {
    std::string id = "pc_race" + std::to_string(round);
    ASSERT_EQ(create_pair_code_sync(*store, make_pair_code(id)).status, StoreStatus::ok);
    std::atomic<bool> go{false};
    std::vector<StoreResult> results(20);
    std::vector<std::thread> threads;
    for (int i = 0; i < 20; ++i) {
      threads.emplace_back([&, i] {
        while (!go) std::this_thread::yield();
        results[static_cast<size_t>(i)] =
            redeem_sync(*store, "code-hash-" + id,
                        "tok_r" + std::to_string(round) + "_" + std::to_string(i), 1100);
      });
    }
    go = true;
    for (std::thread& t : threads) t.join();

    int ok = 0;
    int refused = 0;
    for (const StoreResult& r : results) {
      ok += r.status == StoreStatus::ok;
      refused += r.status == StoreStatus::invalid_grant;
    }
    ASSERT_EQ(ok, 1) << "round " << round;
    ASSERT_EQ(refused, 19) << "round " << round;
  }
  EXPECT_EQ(list_all(*store).size(), 11u);  // one token per code, and their creator
}

TEST_F(FileStorePairCodeTest, CodesSurviveReopenAndCompaction) {
  {
    auto store = open();
    create_pair_code_sync(*store, make_pair_code("pc_pending", kFarFuture));
    create_pair_code_sync(*store, make_pair_code("pc_used", kFarFuture));
    redeem_sync(*store, "code-hash-pc_used", "tok_a", 1100);
  }
  {
    auto store = open();
    EXPECT_EQ(ids_of(pending_codes(*store, 1200)), std::vector<std::string>{"pc_pending"});
    EXPECT_EQ(redeem_sync(*store, "code-hash-pc_used", "tok_b", 1200).status,
              StoreStatus::invalid_grant);
    store->compact_now();
    PairCodeRecord after = make_pair_code("pc_after", kFarFuture);
    after.created_at = 1100;
    create_pair_code_sync(*store, after);
  }
  auto store = open();
  EXPECT_EQ(ids_of(pending_codes(*store, 1200)),
            (std::vector<std::string>{"pc_pending", "pc_after"}));
  EXPECT_EQ(redeem_sync(*store, "code-hash-pc_used", "tok_b", 1200).status,
            StoreStatus::invalid_grant);
  EXPECT_EQ(redeem_sync(*store, "code-hash-pc_pending", "tok_c", 1200).status, StoreStatus::ok);
}

TEST_F(FileStorePairCodeTest, CompactionDropsCodesFinishedLongerAgoThanTheRetention) {
  {
    auto store = open();  // default retention: a day, by the wall clock
    create_pair_code_sync(*store, make_pair_code("pc_pending", kFarFuture));
    create_pair_code_sync(*store, make_pair_code("pc_expired_long_ago", 1600));
    create_pair_code_sync(*store, make_pair_code("pc_cancelled_long_ago", kFarFuture));
    cancel_pair_code_sync(*store, "pc_cancelled_long_ago", 1200);
    store->compact_now();
  }
  std::string snapshot = read_bytes(store_dir() / "snapshot");
  std::vector<std::string> kept;
  for (const Frame& f : scan_frames(snapshot).frames) {
    for (const PairCodeRecord& c : decode_op(f.payload).pair_codes) kept.push_back(c.pair_code_id);
  }
  EXPECT_EQ(kept, std::vector<std::string>{"pc_pending"});
  auto store = open();
  EXPECT_EQ(ids_of(pending_codes(*store, 1200)), std::vector<std::string>{"pc_pending"});
}

TEST_F(FileStorePairCodeTest, ARedeemIsOneRecordAtEveryCrashPoint) {
  {
    auto store = open();
    create_sync(*store, make_admin("tok_admin"));
    create_pair_code_sync(*store, make_pair_code("pc_1"));
    ASSERT_EQ(redeem_sync(*store, "code-hash-pc_1", "tok_agent", 1100).status, StoreStatus::ok);
  }
  const std::string whole = read_bytes(journal());
  FrameScan scan = scan_frames(whole);
  ASSERT_EQ(scan.end, FrameScan::End::clean);
  DecodedOp last = decode_op(scan.frames.back().payload);
  ASSERT_EQ(last.tokens.size(), 1u);  // the token and the code, in one record
  ASSERT_EQ(last.pair_codes.size(), 1u);
  const size_t redeem_at = scan.frames.back().offset;

  for (size_t keep = redeem_at; keep <= whole.size(); ++keep) {
    SCOPED_TRACE("journal cut to " + std::to_string(keep) + " bytes");
    write_bytes(journal(), whole.substr(0, keep));
    auto store = open();
    bool pending = pending_codes(*store, 1200).size() == 1;
    bool minted = get_copy(*store, "tok_agent").has_value();
    ASSERT_NE(pending, minted);
    ASSERT_EQ(minted, keep == whole.size());
  }
}

}  // namespace
}  // namespace fathom::store
