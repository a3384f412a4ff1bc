// Tests the revocation ledger (proxy/store/revocation_ledger.cpp) as FileStore writes it: every
// revoke is appended and synced before it is acknowledged, nothing else is, a torn tail is cut,
// and a ledger that cannot be synced stops the store like a journal would.

#include "store/revocation_ledger.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <string>
#include <vector>

#include "store/file_store.h"
#include "store/frame.h"
#include "store_test_util.h"

namespace fathom::store {
namespace {

using namespace fathom::store::store_test;

constexpr const char* kKey = "fp-test-key";

std::string path_of_fd(int fd) {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/self/fd/" + std::to_string(fd), ec).string();
}

class RevocationLedgerTest : public ::testing::Test {
 protected:
  std::unique_ptr<FileStore> open(FileStoreOptions options = {}) {
    options.ledger_path = ledger();
    return std::make_unique<FileStore>(dir_.path() / "store", kKey, std::move(options));
  }
  std::filesystem::path ledger() const { return dir_.path() / "revocation-ledger"; }

  TempDir dir_;
};

TEST_F(RevocationLedgerTest, EveryRevokeIsSyncedToTheLedgerBeforeItIsAcknowledged) {
  std::mutex mu;
  std::vector<std::string> synced;
  FileStoreOptions options;
  options.sync = [&](int fd) {
    std::lock_guard lock(mu);
    synced.push_back(path_of_fd(fd));
    return ::fdatasync(fd);
  };
  auto store = open(options);
  create_sync(*store, make_admin("tok_admin"));
  create_sync(*store, make_token("tok_a"));
  {
    std::lock_guard lock(mu);
    synced.clear();
  }
  ASSERT_EQ(revoke_sync(*store, "tok_a", 2000).status, StoreStatus::ok);
  {
    std::lock_guard lock(mu);
    // The ledger first, then the journal; both before the answer.
    ASSERT_EQ(synced.size(), 2u);
    EXPECT_EQ(synced[0], ledger().string());
    EXPECT_EQ(synced[1], (dir_.path() / "store" / "journal").string());
  }
  std::vector<LedgerEntry> entries = read_ledger(ledger());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].token_id, "tok_a");
  EXPECT_EQ(entries[0].secret_hash, "hash-tok_a");
  EXPECT_EQ(entries[0].revoked_at, 2000);
  auto perms = std::filesystem::status(ledger()).permissions() & std::filesystem::perms::all;
  EXPECT_EQ(perms, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(RevocationLedgerTest, OnlyRevocationsThatHappenAreRecorded) {
  auto store = open();
  create_sync(*store, make_admin("tok_admin"));
  create_sync(*store, make_token("tok_a"));
  create_sync(*store, make_token("tok_b"));
  revoke_sync(*store, "tok_a", 2000);
  revoke_sync(*store, "tok_a", 3000);      // already revoked
  revoke_sync(*store, "tok_admin", 3000);  // refused: the last admin
  revoke_sync(*store, "tok_missing", 3000);
  expire_sync(*store, "tok_b", 3000);  // expiry is not revocation
  rotate_sync(*store, "tok_admin", make_admin("tok_admin2", 3000), 3600);
  std::vector<LedgerEntry> entries = read_ledger(ledger());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].token_id, "tok_a");
}

TEST_F(RevocationLedgerTest, KeptAcrossReopenAndATornTailIsCut) {
  {
    auto store = open();
    create_sync(*store, make_token("tok_a"));
    create_sync(*store, make_token("tok_b"));
    revoke_sync(*store, "tok_a", 2000);
  }
  const std::string good = read_bytes(ledger());
  std::string torn;
  append_frame(torn, ledger_payload({"tok_never", "hash-never", 2500}));
  write_bytes(ledger(), good + torn.substr(0, torn.size() - 3));
  EXPECT_EQ(read_ledger(ledger()).size(), 1u);  // a reader skips the torn tail
  {
    auto store = open();
    EXPECT_EQ(std::filesystem::file_size(ledger()), good.size());
    revoke_sync(*store, "tok_b", 3000);
  }
  std::vector<LedgerEntry> entries = read_ledger(ledger());
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].token_id, "tok_b");
}

TEST_F(RevocationLedgerTest, DamageInTheMiddleIsRefused) {
  {
    auto store = open();
    create_sync(*store, make_token("tok_a"));
    create_sync(*store, make_token("tok_b"));
    revoke_sync(*store, "tok_a", 2000);
    revoke_sync(*store, "tok_b", 2000);
  }
  std::string bytes = read_bytes(ledger());
  bytes[kFrameHeaderSize + 2] ^= 0x11;
  write_bytes(ledger(), bytes);
  try {
    open();
    ADD_FAILURE() << "opened over a damaged ledger";
  } catch (const StoreError& e) {
    EXPECT_EQ(std::string(e.what()), ledger().string() +
                                         ": corrupt record at byte 0: checksum mismatch; move the "
                                         "damaged part aside by hand");
  }
  EXPECT_THROW(read_ledger(ledger()), StoreError);
}

TEST_F(RevocationLedgerTest, AFailedLedgerSyncStopsTheStore) {
  std::atomic<bool> fail{false};
  FileStoreOptions options;
  options.sync = [&](int fd) {
    if (fail && path_of_fd(fd) == ledger().string()) {
      errno = EIO;
      return -1;
    }
    return ::fdatasync(fd);
  };
  auto store = open(options);
  create_sync(*store, make_token("tok_a"));
  fail = true;
  StoreResult r = revoke_sync(*store, "tok_a", 2000);
  EXPECT_EQ(r.status, StoreStatus::unavailable);
  EXPECT_EQ(
      r.message.rfind("the store stopped writing after a failed revocation ledger write: ", 0), 0u)
      << r.message;
  EXPECT_FALSE(store->ready());
}

}  // namespace
}  // namespace fathom::store
