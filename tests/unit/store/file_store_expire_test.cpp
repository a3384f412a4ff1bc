// Tests FileStore::expire (idle expiry): the expiry moves to now, subscribers hear of it before
// the write's callback, the last admin stays, and the change survives a reopen.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/file_store.h"
#include "store_test_util.h"

namespace fathom::store {
namespace {

using namespace fathom::store::store_test;

constexpr const char* kKey = "fp-test-key";

class FileStoreExpireTest : public ::testing::Test {
 protected:
  std::unique_ptr<FileStore> open() {
    return std::make_unique<FileStore>(dir_.path() / "store", kKey);
  }
  TempDir dir_;
};

TEST_F(FileStoreExpireTest, ExpiresNowAndTellsSubscribersFirst) {
  auto store = open();
  create_sync(*store, make_token("tok_a"));
  std::vector<std::string> events;
  store->subscribe([&](const Invalidation& inv) {
    events.push_back("invalidated " + inv.token_id + " " + inv.secret_hash);
  });
  std::promise<StoreResult> p;
  store->expire("tok_a", 2000, [&](StoreResult r) {
    events.push_back("done");
    p.set_value(std::move(r));
  });
  StoreResult r = p.get_future().get();
  ASSERT_EQ(r.status, StoreStatus::ok) << r.message;
  EXPECT_EQ(r.token->expires_at, 2000);
  EXPECT_EQ(events, (std::vector<std::string>{"invalidated tok_a hash-tok_a", "done"}));
  EXPECT_TRUE(get_copy(*store, "tok_a")->expired(2000));
  EXPECT_TRUE(get_copy(*store, "tok_a")->active(1999));
}

TEST_F(FileStoreExpireTest, IdempotentForATokenNoLongerActive) {
  auto store = open();
  create_sync(*store, make_token("tok_a"));
  ASSERT_EQ(expire_sync(*store, "tok_a", 2000).status, StoreStatus::ok);
  create_sync(*store, make_token("tok_b"));
  revoke_sync(*store, "tok_b", 2500);
  int invalidations = 0;
  store->subscribe([&](const Invalidation&) { ++invalidations; });

  StoreResult again = expire_sync(*store, "tok_a", 3000);
  EXPECT_EQ(again.status, StoreStatus::ok);
  EXPECT_EQ(again.token->expires_at, 2000);  // as it was
  StoreResult revoked = expire_sync(*store, "tok_b", 3000);
  EXPECT_EQ(revoked.status, StoreStatus::ok);
  EXPECT_FALSE(revoked.token->expires_at);
  EXPECT_EQ(invalidations, 0);
}

TEST_F(FileStoreExpireTest, UnknownTokenIsNotFound) {
  auto store = open();
  StoreResult r = expire_sync(*store, "tok_missing", 2000);
  EXPECT_EQ(r.status, StoreStatus::not_found);
  EXPECT_EQ(r.message, "no token with id tok_missing");
}

TEST_F(FileStoreExpireTest, TheLastAdminIsNotExpired) {
  auto store = open();
  create_sync(*store, make_admin("tok_admin"));
  StoreResult r = expire_sync(*store, "tok_admin", 2000);
  EXPECT_EQ(r.status, StoreStatus::conflict);
  EXPECT_NE(r.message.find("token tok_admin is the last lasting admin token"), std::string::npos)
      << r.message;
  EXPECT_TRUE(get_copy(*store, "tok_admin")->is_admin(5000));
  create_sync(*store, make_admin("tok_admin2"));
  EXPECT_EQ(expire_sync(*store, "tok_admin", 2000).status, StoreStatus::ok);
  // Now tok_admin2 is the last one.
  EXPECT_EQ(expire_sync(*store, "tok_admin2", 2001).status, StoreStatus::conflict);
}

TEST_F(FileStoreExpireTest, SurvivesReopen) {
  {
    auto store = open();
    create_sync(*store, make_token("tok_a"));
    ASSERT_EQ(expire_sync(*store, "tok_a", 2000).status, StoreStatus::ok);
  }
  auto store = open();
  EXPECT_EQ(get_copy(*store, "tok_a")->expires_at, 2000);
}

}  // namespace
}  // namespace fathom::store
