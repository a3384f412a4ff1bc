// Tests proxy/store/file_store.cpp: reads, writes, the last-admin rule under concurrency,
// rotation, touches, subscriptions and a failed fsync.

#include "store/file_store.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <thread>

#include "store_test_util.h"

namespace fathom::store {
namespace {

using namespace fathom::store::store_test;

constexpr const char* kKey = "fp-test-key";

class FileStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<FileStore> open(FileStoreOptions options = {}) {
    return std::make_unique<FileStore>(dir_.path() / "store", kKey, std::move(options));
  }
  std::filesystem::path store_dir() const { return dir_.path() / "store"; }

  TempDir dir_;
};

TEST_F(FileStoreTest, CreatesItsDirectoryPrivate) {
  auto store = open();
  auto perms = std::filesystem::status(store_dir()).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all, std::filesystem::perms::owner_all);
  EXPECT_TRUE(std::filesystem::exists(store_dir() / "journal"));
  EXPECT_TRUE(std::filesystem::exists(store_dir() / "lock"));
  EXPECT_TRUE(store->ready());
}

TEST_F(FileStoreTest, CreateGetListFindByHash) {
  auto store = open();
  StoreResult r = create_sync(*store, make_token("tok_b", {"lake:read"}, 2000));
  ASSERT_EQ(r.status, StoreStatus::ok) << r.message;
  EXPECT_EQ(r.token->token_id, "tok_b");
  ASSERT_EQ(create_sync(*store, make_token("tok_a", {"lake:write"}, 1000)).status, StoreStatus::ok);

  std::optional<TokenRecord> got = get_copy(*store, "tok_b");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name, "name of tok_b");
  EXPECT_EQ(got->scopes, std::vector<std::string>{"lake:read"});

  bool found = false;
  store->find_by_hash("hash-tok_a", [&](StoreStatus s, const TokenRecord* t) {
    found = s == StoreStatus::ok && t && t->token_id == "tok_a";
  });
  EXPECT_TRUE(found);

  std::vector<TokenRecord> all = list_all(*store);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].token_id, "tok_a");  // oldest first
  EXPECT_EQ(all[1].token_id, "tok_b");

  EXPECT_EQ(create_sync(*store, make_token("tok_a")).status, StoreStatus::conflict);
}

TEST_F(FileStoreTest, NotFound) {
  auto store = open();
  StoreStatus status = StoreStatus::ok;
  store->get("tok_missing", [&](StoreStatus s, const TokenRecord* t) {
    status = s;
    EXPECT_EQ(t, nullptr);
  });
  EXPECT_EQ(status, StoreStatus::not_found);
  store->find_by_hash("nope", [&](StoreStatus s, const TokenRecord*) { status = s; });
  EXPECT_EQ(status, StoreStatus::not_found);

  StoreResult r = revoke_sync(*store, "tok_missing", 100);
  EXPECT_EQ(r.status, StoreStatus::not_found);
  EXPECT_EQ(r.message, "no token with id tok_missing");
  EXPECT_EQ(rotate_sync(*store, "tok_missing", make_token("tok_new"), {}).status,
            StoreStatus::not_found);
}

TEST_F(FileStoreTest, RevokeIsIdempotent) {
  auto store = open();
  create_sync(*store, make_token("tok_a"));
  StoreResult first = revoke_sync(*store, "tok_a", 2000);
  ASSERT_EQ(first.status, StoreStatus::ok);
  EXPECT_EQ(first.token->revoked_at, 2000);
  StoreResult again = revoke_sync(*store, "tok_a", 3000);
  EXPECT_EQ(again.status, StoreStatus::ok);
  EXPECT_EQ(again.token->revoked_at, 2000);  // as it was
  EXPECT_EQ(get_copy(*store, "tok_a")->revoked_at, 2000);
}

TEST_F(FileStoreTest, LastAdminCannotBeRevoked) {
  auto store = open();
  create_sync(*store, make_admin("tok_admin"));
  create_sync(*store, make_token("tok_reader"));
  StoreResult r = revoke_sync(*store, "tok_admin", 2000);
  EXPECT_EQ(r.status, StoreStatus::conflict);
  EXPECT_NE(r.message.find("token tok_admin is the last lasting admin token"), std::string::npos)
      << r.message;
  EXPECT_FALSE(get_copy(*store, "tok_admin")->revoked());
  create_sync(*store, make_admin("tok_admin2"));
  EXPECT_EQ(revoke_sync(*store, "tok_admin", 2000).status, StoreStatus::ok);
}

TEST_F(FileStoreTest, TwoAdminsRevokingEachOtherLeaveExactlyOne) {
  auto store = open();
  std::string survivor = "tok_round0";
  create_sync(*store, make_admin(survivor));
  for (int round = 1; round <= 40; ++round) {
    std::string a = "tok_a" + std::to_string(round);
    std::string b = "tok_b" + std::to_string(round);
    ASSERT_EQ(create_sync(*store, make_admin(a)).status, StoreStatus::ok);
    ASSERT_EQ(create_sync(*store, make_admin(b)).status, StoreStatus::ok);
    ASSERT_EQ(revoke_sync(*store, survivor, 2000).status, StoreStatus::ok);

    std::atomic<bool> go{false};
    StoreResult ra, rb;
    std::thread ta([&] {
      while (!go) std::this_thread::yield();
      ra = revoke_sync(*store, b, 2000);  // a revokes b
    });
    std::thread tb([&] {
      while (!go) std::this_thread::yield();
      rb = revoke_sync(*store, a, 2000);  // b revokes a
    });
    go = true;
    ta.join();
    tb.join();

    int ok = (ra.status == StoreStatus::ok) + (rb.status == StoreStatus::ok);
    int conflict = (ra.status == StoreStatus::conflict) + (rb.status == StoreStatus::conflict);
    ASSERT_EQ(ok, 1) << "round " << round;
    ASSERT_EQ(conflict, 1) << "round " << round;
    int active_admins = 0;
    for (const TokenRecord& t : list_all(*store)) active_admins += t.is_admin(2000);
    ASSERT_EQ(active_admins, 1) << "round " << round;
    survivor = ra.status == StoreStatus::ok ? a : b;
  }
}

TEST_F(FileStoreTest, RotateWithoutExpiry) {
  auto store = open();
  create_sync(*store, make_token("tok_old", {"lake:read", "lake:write"}));
  TokenRecord replacement = make_token("tok_new", {"lake:read", "lake:write"}, 2000);
  replacement.rotated_from = "tok_old";
  std::vector<std::string> invalidated;
  store->subscribe([&](const Invalidation& inv) { invalidated.push_back(inv.secret_hash); });

  StoreResult r = rotate_sync(*store, "tok_old", replacement, {});
  ASSERT_EQ(r.status, StoreStatus::ok) << r.message;
  EXPECT_EQ(r.token->rotated_to, "tok_new");
  EXPECT_FALSE(r.token->expires_at);
  EXPECT_EQ(r.created->token_id, "tok_new");
  EXPECT_EQ(get_copy(*store, "tok_new")->rotated_from, "tok_old");
  EXPECT_TRUE(get_copy(*store, "tok_old")->active(5000));
  EXPECT_TRUE(invalidated.empty());
}

TEST_F(FileStoreTest, RotateWithExpiryInvalidatesTheOldHash) {
  auto store = open();
  create_sync(*store, make_token("tok_old"));
  std::vector<std::string> invalidated;
  store->subscribe([&](const Invalidation& inv) { invalidated.push_back(inv.secret_hash); });

  StoreResult r = rotate_sync(*store, "tok_old", make_token("tok_new", {"lake:read"}, 2000), 2600);
  ASSERT_EQ(r.status, StoreStatus::ok);
  EXPECT_EQ(get_copy(*store, "tok_old")->expires_at, 2600);
  EXPECT_FALSE(get_copy(*store, "tok_old")->active(2600));
  EXPECT_EQ(invalidated, std::vector<std::string>{"hash-tok_old"});
}

TEST_F(FileStoreTest, RotateRefusesARevokedToken) {
  auto store = open();
  create_sync(*store, make_token("tok_old"));
  revoke_sync(*store, "tok_old", 1500);
  StoreResult r = rotate_sync(*store, "tok_old", make_token("tok_new", {"lake:read"}, 2000), {});
  EXPECT_EQ(r.status, StoreStatus::conflict);
  EXPECT_EQ(r.message, "token tok_old is not active (revoked)");
  EXPECT_FALSE(get_copy(*store, "tok_new"));
}

TEST_F(FileStoreTest, SubscribersGetTheHashOnRevoke) {
  auto store = open();
  create_sync(*store, make_token("tok_a"));
  std::vector<std::string> invalidated;
  std::thread::id called_on;
  std::vector<std::string> ids;
  store->subscribe([&](const Invalidation& inv) {
    invalidated.push_back(inv.secret_hash);
    ids.push_back(inv.token_id);
    called_on = std::this_thread::get_id();
  });
  revoke_sync(*store, "tok_a", 2000);
  EXPECT_EQ(invalidated, std::vector<std::string>{"hash-tok_a"});
  EXPECT_EQ(ids, std::vector<std::string>{"tok_a"});
  EXPECT_NE(called_on, std::this_thread::get_id());  // the writer thread
  revoke_sync(*store, "tok_a", 2001);                // already revoked: nothing new to invalidate
  EXPECT_EQ(invalidated.size(), 1u);
}

TEST_F(FileStoreTest, TouchIsVisibleAtOnceAndCoalesced) {
  FileStoreOptions options;
  options.touch_flush_interval = std::chrono::hours(1);
  {
    auto store = open(options);
    create_sync(*store, make_token("tok_a"));
    auto journal_size = std::filesystem::file_size(store_dir() / "journal");
    store->touch("tok_a", 1100);
    store->touch("tok_a", 1300);
    store->touch("tok_a", 1200);  // older: ignored
    store->touch("tok_unknown", 1300);
    EXPECT_EQ(get_copy(*store, "tok_a")->last_used_at, 1300);
    EXPECT_EQ(list_all(*store).at(0).last_used_at, 1300);
    bool seen = false;
    store->find_by_hash("hash-tok_a", [&](StoreStatus, const TokenRecord* t) {
      seen = t && t->last_used_at == 1300;
    });
    EXPECT_TRUE(seen);
    // Nothing written yet: a touch costs no I/O.
    EXPECT_EQ(std::filesystem::file_size(store_dir() / "journal"), journal_size);
    // A write result shows the touch too, and does not lose it.
    EXPECT_EQ(revoke_sync(*store, "tok_a", 1400).token->last_used_at, 1300);
  }
  auto store = open(options);
  EXPECT_EQ(get_copy(*store, "tok_a")->last_used_at, 1300);
  EXPECT_EQ(get_copy(*store, "tok_a")->revoked_at, 1400);
}

TEST_F(FileStoreTest, TouchesAreFlushedOnTheTimer) {
  FileStoreOptions options;
  options.touch_flush_interval = std::chrono::milliseconds(20);
  auto store = open(options);
  create_sync(*store, make_token("tok_a"));
  auto before = std::filesystem::file_size(store_dir() / "journal");
  store->touch("tok_a", 5000);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::filesystem::file_size(store_dir() / "journal") == before &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GT(std::filesystem::file_size(store_dir() / "journal"), before);
}

TEST_F(FileStoreTest, TouchFromInsideAReadCallbackDoesNotDeadlock) {
  auto store = open();
  create_sync(*store, make_token("tok_a"));
  store->find_by_hash("hash-tok_a",
                      [&](StoreStatus, const TokenRecord* t) { store->touch(t->token_id, 4242); });
  EXPECT_EQ(get_copy(*store, "tok_a")->last_used_at, 4242);
}

TEST_F(FileStoreTest, FailedFsyncStopsWritingForGood) {
  std::atomic<bool> fail{false};
  std::atomic<int> syncs_after_failure{0};
  FileStoreOptions options;
  options.sync = [&](int fd) {
    if (fail) {
      ++syncs_after_failure;
      errno = EIO;
      return -1;
    }
    return ::fdatasync(fd);
  };
  auto store = open(options);
  ASSERT_EQ(create_sync(*store, make_token("tok_a")).status, StoreStatus::ok);
  fail = true;
  StoreResult r = create_sync(*store, make_token("tok_b"));
  EXPECT_EQ(r.status, StoreStatus::unavailable);
  EXPECT_EQ(r.message.rfind("the store stopped writing after a failed fsync: ", 0), 0u)
      << r.message;
  EXPECT_FALSE(store->ready());
  fail = false;  // even if the disk recovers, nothing is retried
  StoreResult later = revoke_sync(*store, "tok_a", 2000);
  EXPECT_EQ(later.status, StoreStatus::unavailable);
  EXPECT_EQ(later.message, r.message);
  EXPECT_EQ(syncs_after_failure.load(), 1);
  // Reads still answer from memory.
  EXPECT_TRUE(get_copy(*store, "tok_a"));
}

TEST_F(FileStoreTest, DestructorCompletesQueuedWrites) {
  std::atomic<int> answered{0};
  {
    auto store = open();
    for (int i = 0; i < 50; ++i) {
      store->create(make_token("tok_" + std::to_string(i)), [&](StoreResult r) {
        if (r.status == StoreStatus::ok) ++answered;
      });
    }
  }
  EXPECT_EQ(answered.load(), 50);
  auto store = open();
  EXPECT_EQ(list_all(*store).size(), 50u);
}

}  // namespace
}  // namespace fathom::store
