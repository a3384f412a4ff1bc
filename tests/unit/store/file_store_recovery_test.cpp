// Tests proxy/store/file_store.cpp against its files: replay across reopen, torn tails, corruption,
// compaction, the lock and the key fingerprint.

#include <gtest/gtest.h>
#include <unistd.h>

#include "store/file_store.h"
#include "store/frame.h"
#include "store_test_util.h"

namespace fathom::store {
namespace {

using namespace fathom::store::store_test;

constexpr const char* kKey = "fp-test-key";

class FileStoreRecoveryTest : public ::testing::Test {
 protected:
  std::unique_ptr<FileStore> open(FileStoreOptions options = {}, std::string key = kKey) {
    return std::make_unique<FileStore>(store_dir(), std::move(key), std::move(options));
  }
  std::filesystem::path store_dir() const { return dir_.path() / "store"; }
  std::filesystem::path journal() const { return store_dir() / "journal"; }

  std::string open_error(std::string key = kKey) {
    try {
      open({}, std::move(key));
    } catch (const StoreError& e) {
      return e.what();
    }
    ADD_FAILURE() << "the store opened";
    return "";
  }

  // Three tokens, the last revoked: four journal records after the header.
  void write_history() {
    auto store = open();
    ASSERT_EQ(create_sync(*store, make_admin("tok_admin")).status, StoreStatus::ok);
    ASSERT_EQ(create_sync(*store, make_token("tok_a")).status, StoreStatus::ok);
    ASSERT_EQ(create_sync(*store, make_token("tok_b")).status, StoreStatus::ok);
    ASSERT_EQ(revoke_sync(*store, "tok_b", 2000).status, StoreStatus::ok);
  }

  TempDir dir_;
};

TEST_F(FileStoreRecoveryTest, ReplaysTheJournalOnReopen) {
  write_history();
  auto store = open();
  std::vector<TokenRecord> all = list_all(*store);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(get_copy(*store, "tok_b")->revoked_at, 2000);
  EXPECT_FALSE(get_copy(*store, "tok_a")->revoked());
  bool found = false;
  store->find_by_hash("hash-tok_a",
                      [&](StoreStatus s, const TokenRecord*) { found = s == StoreStatus::ok; });
  EXPECT_TRUE(found);
}

TEST_F(FileStoreRecoveryTest, RotationSurvivesReopen) {
  {
    auto store = open();
    create_sync(*store, make_token("tok_old"));
    ASSERT_EQ(
        rotate_sync(*store, "tok_old", make_token("tok_new", {"lake:read"}, 2000), 2500).status,
        StoreStatus::ok);
  }
  auto store = open();
  EXPECT_EQ(get_copy(*store, "tok_old")->rotated_to, "tok_new");
  EXPECT_EQ(get_copy(*store, "tok_old")->expires_at, 2500);
  EXPECT_TRUE(get_copy(*store, "tok_new"));
}

TEST_F(FileStoreRecoveryTest, TornLastRecordIsDroppedAndEarlierOnesKept) {
  write_history();
  const std::string whole = read_bytes(journal());
  FrameScan scan = scan_frames(whole);
  ASSERT_EQ(scan.end, FrameScan::End::clean);
  const size_t last = scan.frames.back().offset;  // the revoke of tok_b
  for (size_t cut = 1; cut <= whole.size() - last; ++cut) {
    SCOPED_TRACE("cut " + std::to_string(cut));
    write_bytes(journal(), whole.substr(0, whole.size() - cut));
    {
      auto store = open();
      ASSERT_TRUE(get_copy(*store, "tok_b"));  // the create before it is kept
      EXPECT_FALSE(get_copy(*store, "tok_b")->revoked());
      EXPECT_EQ(std::filesystem::file_size(journal()), last);  // cut back to the good end
      // New writes land on a record boundary and survive the next reopen.
      ASSERT_EQ(create_sync(*store, make_token("tok_c")).status, StoreStatus::ok);
    }
    auto store = open();
    EXPECT_TRUE(get_copy(*store, "tok_c"));
    EXPECT_EQ(list_all(*store).size(), 4u);
  }
}

TEST_F(FileStoreRecoveryTest, UnfinishedAppendAfterTheLastAcknowledgedWriteIsDropped) {
  write_history();
  const std::string whole = read_bytes(journal());
  std::string next;
  append_frame(next, R"({"op":"put","token":{"token_id":"tok_never_acknowledged"}})");
  for (size_t keep = 1; keep < next.size(); ++keep) {
    SCOPED_TRACE("kept " + std::to_string(keep));
    write_bytes(journal(), whole + next.substr(0, keep));
    auto store = open();
    EXPECT_EQ(get_copy(*store, "tok_b")->revoked_at, 2000);  // the last acknowledged write
    EXPECT_EQ(list_all(*store).size(), 3u);
  }
  write_bytes(journal(), whole + std::string(4096, '\0'));
  auto store = open();
  EXPECT_EQ(get_copy(*store, "tok_b")->revoked_at, 2000);
  EXPECT_EQ(std::filesystem::file_size(journal()), whole.size());
}

TEST_F(FileStoreRecoveryTest, CorruptionInTheMiddleIsRefusedWithTheOffset) {
  write_history();
  std::string bytes = read_bytes(journal());
  FrameScan scan = scan_frames(bytes);
  const size_t second = scan.frames[2].offset;  // create of tok_a, with more records after it
  bytes[second + kFrameHeaderSize + 3] ^= 0x20;
  write_bytes(journal(), bytes);
  std::string error = open_error();
  EXPECT_EQ(error, journal().string() + ": corrupt record at byte " + std::to_string(second) +
                       ": checksum mismatch; restore the store from a backup or move the file "
                       "aside");
  EXPECT_EQ(read_bytes(journal()), bytes);  // refused, not repaired
}

TEST_F(FileStoreRecoveryTest, ValidChecksumOverBadJsonIsRefusedEvenAtTheEnd) {
  write_history();
  std::string bytes = read_bytes(journal());
  const size_t at = bytes.size();
  append_frame(bytes, "{not json");
  write_bytes(journal(), bytes);
  EXPECT_EQ(open_error(), journal().string() + ": corrupt record at byte " + std::to_string(at) +
                              ": the payload is not JSON; restore the store from a backup or "
                              "move the file aside");
}

TEST_F(FileStoreRecoveryTest, CompactionThenReopen) {
  {
    auto store = open();
    for (int i = 0; i < 20; ++i) create_sync(*store, make_token("tok_" + std::to_string(i)));
    create_sync(*store, make_admin("tok_admin"));
    revoke_sync(*store, "tok_3", 2000);
    store->touch("tok_5", 7777);
    auto before = std::filesystem::file_size(journal());
    store->compact_now();
    EXPECT_LT(std::filesystem::file_size(journal()), before);
    EXPECT_TRUE(std::filesystem::exists(store_dir() / "snapshot"));
    EXPECT_FALSE(std::filesystem::exists(store_dir() / "snapshot.tmp"));
    EXPECT_FALSE(std::filesystem::exists(store_dir() / "journal.tmp"));
    // Writes after compaction go to the new journal.
    revoke_sync(*store, "tok_4", 3000);
  }
  auto store = open();
  EXPECT_EQ(list_all(*store).size(), 21u);
  EXPECT_EQ(get_copy(*store, "tok_3")->revoked_at, 2000);
  EXPECT_EQ(get_copy(*store, "tok_4")->revoked_at, 3000);
  EXPECT_EQ(get_copy(*store, "tok_5")->last_used_at, 7777);
  EXPECT_EQ(list_all(*store).front().token_id, "tok_0");
}

TEST_F(FileStoreRecoveryTest, OldJournalReplayedOverNewSnapshotChangesNothing) {
  // A crash between the snapshot's rename and the journal's leaves both on disk.
  std::string old_journal;
  {
    auto store = open();
    create_sync(*store, make_admin("tok_admin"));
    create_sync(*store, make_token("tok_a"));
    store->touch("tok_a", 9000);  // only in memory, then in the snapshot
    revoke_sync(*store, "tok_a", 2000);
    old_journal = read_bytes(journal());
    store->compact_now();
  }
  write_bytes(journal(), old_journal);
  auto store = open();
  EXPECT_EQ(list_all(*store).size(), 2u);
  EXPECT_EQ(get_copy(*store, "tok_a")->revoked_at, 2000);
  EXPECT_EQ(get_copy(*store, "tok_a")->last_used_at, 9000);
}

TEST_F(FileStoreRecoveryTest, CompactsOnItsOwnPastTheRecordLimit) {
  FileStoreOptions options;
  options.compact_after_records = 5;
  {
    auto store = open(options);
    for (int i = 0; i < 12; ++i) create_sync(*store, make_token("tok_" + std::to_string(i)));
    EXPECT_TRUE(std::filesystem::exists(store_dir() / "snapshot"));
    // Compaction follows the write that passes the limit: a header and at most 6 records.
    EXPECT_LE(scan_frames(read_bytes(journal())).frames.size(), 1u + 6u);
  }
  auto store = open(options);
  EXPECT_EQ(list_all(*store).size(), 12u);
}

TEST_F(FileStoreRecoveryTest, DamagedSnapshotIsRefused) {
  {
    auto store = open();
    create_sync(*store, make_token("tok_a"));
    create_sync(*store, make_token("tok_b"));
    store->compact_now();
  }
  std::filesystem::path snapshot = store_dir() / "snapshot";
  std::string bytes = read_bytes(snapshot);
  FrameScan scan = scan_frames(bytes);
  ASSERT_EQ(scan.frames.size(), 4u);  // header, two tokens, end

  // Cut at a record boundary: only the end record notices.
  write_bytes(snapshot, bytes.substr(0, scan.frames[3].offset));
  EXPECT_EQ(open_error(), snapshot.string() +
                              ": the snapshot is incomplete (no end record); restore the store "
                              "from a backup");

  // A torn last record is fine in a journal, never in a snapshot.
  write_bytes(snapshot, bytes.substr(0, bytes.size() - 1));
  EXPECT_NE(open_error().find(snapshot.string() + ": corrupt record at byte " +
                              std::to_string(scan.frames[3].offset)),
            std::string::npos);
}

TEST_F(FileStoreRecoveryTest, SecondOpenIsRefusedWhileTheFirstLives) {
  {
    auto first = open();
    EXPECT_EQ(open_error(), store_dir().string() +
                                ": the store is in use by another fathom-auth (pid " +
                                std::to_string(::getpid()) + ")");
  }
  EXPECT_NO_THROW(open());  // released by the destructor
}

TEST_F(FileStoreRecoveryTest, AnotherKeyIsRefused) {
  write_history();
  EXPECT_EQ(open_error("fp-other"),
            store_dir().string() +
                ": this store was written with another token-hash.key (fingerprint fp-test-key, "
                "this key is fp-other)");
  // Also once the key lives only in the snapshot's header.
  open()->compact_now();
  EXPECT_NE(open_error("fp-other").find("fingerprint fp-test-key, this key is fp-other"),
            std::string::npos);
}

TEST_F(FileStoreRecoveryTest, StrayTemporaryFilesAreIgnored) {
  write_history();
  write_bytes(store_dir() / "snapshot.tmp", "half a snapshot");
  write_bytes(store_dir() / "journal.tmp", "half a journal");
  auto store = open();
  EXPECT_EQ(list_all(*store).size(), 3u);
  EXPECT_FALSE(std::filesystem::exists(store_dir() / "snapshot.tmp"));
}

}  // namespace
}  // namespace fathom::store
