// Tests proxy/store/backup.cpp: an online backup while the store is open, written to and
// compacted; restore refusing a running daemon, another key or a damaged backup; the revocation
// ledger keeping a later revocation; pair codes never coming back.

#include "store/backup.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "store/file_store.h"
#include "store/frame.h"
#include "store/revocation_ledger.h"
#include "store/token_codec.h"
#include "store_test_util.h"

namespace fathom::store {
namespace {

using namespace fathom::store::store_test;

constexpr const char* kKey = "fp-test-key";
constexpr UnixTime kFarFuture = 4'000'000'000;

class BackupTest : public ::testing::Test {
 protected:
  std::unique_ptr<FileStore> open(FileStoreOptions options = {}) {
    return open_at(store_dir(), std::move(options));
  }
  std::unique_ptr<FileStore> open_at(const std::filesystem::path& dir,
                                     FileStoreOptions options = {}) {
    options.ledger_path = ledger();
    return std::make_unique<FileStore>(dir, kKey, std::move(options));
  }
  std::filesystem::path store_dir() const { return dir_.path() / "store"; }
  std::filesystem::path ledger() const { return dir_.path() / kRevocationLedgerName; }
  std::filesystem::path backup_file() const { return dir_.path() / "store.backup"; }

  std::string restore_error(std::string_view key = kKey) {
    try {
      restore_store(store_dir(), backup_file(), ledger(), key);
    } catch (const StoreError& e) {
      return e.what();
    }
    ADD_FAILURE() << "restore succeeded";
    return "";
  }

  TempDir dir_;
};

std::vector<std::string> token_ids(TokenStore& store) {
  std::vector<std::string> ids;
  for (const TokenRecord& t : list_all(store)) ids.push_back(t.token_id);
  return ids;
}

TEST_F(BackupTest, BacksUpEveryTokenWhileTheStoreIsOpen) {
  auto store = open();
  create_sync(*store, make_admin("tok_admin"));
  create_sync(*store, make_token("tok_a", {"lake:read"}, 1100));
  revoke_sync(*store, "tok_a", 2000);
  create_pair_code_sync(*store, make_pair_code("pc_1", kFarFuture));

  BackupReport report = backup_store(store_dir(), backup_file(), kKey);
  EXPECT_EQ(report.tokens, 2u);
  EXPECT_EQ(report.key_fingerprint, kKey);
  auto perms = std::filesystem::status(backup_file()).permissions() & std::filesystem::perms::all;
  EXPECT_EQ(perms, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_FALSE(std::filesystem::exists(backup_file().string() + ".tmp"));

  // The snapshot's layout, tokens only: no pair code, no secret beyond its hash.
  const std::string bytes = read_bytes(backup_file());
  FrameScan scan = scan_frames(bytes);
  ASSERT_EQ(scan.end, FrameScan::End::clean);
  ASSERT_EQ(scan.frames.size(), 4u);
  EXPECT_EQ(decode_op(scan.frames[0].payload).key_fingerprint, kKey);
  for (const Frame& f : scan.frames) EXPECT_TRUE(decode_op(f.payload).pair_codes.empty());
  DecodedOp end = decode_op(scan.frames.back().payload);
  EXPECT_EQ(end.token_count, 2u);
  EXPECT_EQ(end.pair_code_count, 0u);
  EXPECT_TRUE(store->ready());  // the store never noticed
}

TEST_F(BackupTest, RefusesAStoreUnderAnotherKeyAndAMissingStore) {
  {
    auto store = open();
    create_sync(*store, make_token("tok_a"));
  }
  try {
    backup_store(store_dir(), backup_file(), "fp-other");
    ADD_FAILURE() << "backed up under another key";
  } catch (const StoreError& e) {
    EXPECT_EQ(std::string(e.what()),
              store_dir().string() +
                  ": this store was written with another token-hash.key (fingerprint "
                  "fp-test-key, this key is fp-other)");
  }
  EXPECT_FALSE(std::filesystem::exists(backup_file()));
  try {
    backup_store(dir_.path() / "nowhere", backup_file());
    ADD_FAILURE() << "backed up nothing";
  } catch (const StoreError& e) {
    EXPECT_EQ(std::string(e.what()),
              (dir_.path() / "nowhere").string() + ": no such directory; is store.path right?");
  }
}

TEST_F(BackupTest, ATornJournalTailIsLeftOut) {
  {
    auto store = open();
    create_sync(*store, make_token("tok_a"));
  }
  std::string partial;
  append_frame(partial, put_payload(make_token("tok_unfinished")));
  std::string journal = read_bytes(store_dir() / "journal");
  write_bytes(store_dir() / "journal", journal + partial.substr(0, partial.size() / 2));
  EXPECT_EQ(backup_store(store_dir(), backup_file()).tokens, 1u);
}

// The writer keeps creating tok_0, tok_1, … one at a time and compacts every few records, while
// backups are taken. Each backup must hold exactly the first N tokens for some N between the
// number acknowledged before it began and one more than those acknowledged when it ended.
TEST_F(BackupTest, ConsistentWhileWrittenAndCompacted) {
  FileStoreOptions options;
  options.compact_after_records = 3;
  auto store = open(options);
  std::atomic<int> acknowledged{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      ASSERT_EQ(
          create_sync(*store, make_token("tok_" + std::to_string(i), {"lake:read"}, i)).status,
          StoreStatus::ok);
      acknowledged = i + 1;
    }
  });
  for (int round = 0; round < 30; ++round) {
    SCOPED_TRACE("backup " + std::to_string(round));
    int before = acknowledged;
    BackupReport report = backup_store(store_dir(), backup_file(), kKey);
    int after = acknowledged;
    ASSERT_GE(static_cast<int>(report.tokens), before);
    ASSERT_LE(static_cast<int>(report.tokens), after + 1);

    std::filesystem::path copy = dir_.path() / ("copy" + std::to_string(round));
    RestoreReport restored = restore_store(copy, backup_file(), "", kKey);
    ASSERT_EQ(restored.tokens_restored, report.tokens);
    auto reopened = std::make_unique<FileStore>(copy, kKey);
    std::vector<std::string> ids = token_ids(*reopened);
    for (size_t i = 0; i < ids.size(); ++i) ASSERT_EQ(ids[i], "tok_" + std::to_string(i));
  }
  stop = true;
  writer.join();
}

TEST_F(BackupTest, RestoreRefusesWhileTheDaemonHoldsTheStore) {
  auto store = open();
  create_sync(*store, make_token("tok_a"));
  backup_store(store_dir(), backup_file());
  create_sync(*store, make_token("tok_b"));
  EXPECT_EQ(restore_error(), "the daemon is running (pid " + std::to_string(::getpid()) +
                                 " holds " + (store_dir() / "lock").string() + "); stop it first");
  EXPECT_EQ(token_ids(*store), (std::vector<std::string>{"tok_a", "tok_b"}));
}

TEST_F(BackupTest, TheLedgerKeepsALaterRevocation) {
  {
    auto store = open();
    create_sync(*store, make_admin("tok_admin"));
    create_sync(*store, make_token("tok_a", {"lake:read"}, 1100));
    create_sync(*store, make_token("tok_b", {"lake:read"}, 1200));
    create_sync(*store, make_token("tok_old", {"lake:read"}, 1300));
    revoke_sync(*store, "tok_old", 1400);  // revoked before the backup: not the ledger's doing
    backup_store(store_dir(), backup_file());
    revoke_sync(*store, "tok_a", 2000);
    create_sync(*store, make_token("tok_c", {"lake:read"}, 2100));
    store->compact_now();
    revoke_sync(*store, "tok_b", 2200);
  }
  RestoreReport report = restore_store(store_dir(), backup_file(), ledger(), kKey);
  EXPECT_EQ(report.tokens_restored, 4u);
  EXPECT_EQ(report.kept_revoked, 2u);
  auto store = open();
  EXPECT_EQ(token_ids(*store),
            (std::vector<std::string>{"tok_admin", "tok_a", "tok_b", "tok_old"}));
  EXPECT_EQ(get_copy(*store, "tok_a")->revoked_at, 2000);
  EXPECT_EQ(get_copy(*store, "tok_b")->revoked_at, 2200);
  EXPECT_EQ(get_copy(*store, "tok_old")->revoked_at, 1400);
  EXPECT_TRUE(get_copy(*store, "tok_admin")->is_admin(5000));
  // A fresh snapshot and an empty journal, as after any compaction.
  EXPECT_TRUE(std::filesystem::exists(store_dir() / "snapshot"));
  EXPECT_EQ(scan_frames(read_bytes(store_dir() / "journal")).frames.size(), 1u);
}

TEST_F(BackupTest, TheLedgerMatchesBySecretHashToo) {
  {
    auto store = open();
    create_sync(*store, make_token("tok_a"));
    backup_store(store_dir(), backup_file());
  }
  std::string bytes;
  append_frame(bytes, ledger_payload({"tok_renamed", "hash-tok_a", 3000}));
  write_bytes(ledger(), bytes);
  EXPECT_EQ(restore_store(store_dir(), backup_file(), ledger(), kKey).kept_revoked, 1u);
  auto store = open();
  EXPECT_EQ(get_copy(*store, "tok_a")->revoked_at, 3000);
}

TEST_F(BackupTest, PairCodesAreNeverRestored) {
  {
    auto store = open();
    create_sync(*store, make_token("tok_a"));
    create_pair_code_sync(*store, make_pair_code("pc_before", kFarFuture));
    backup_store(store_dir(), backup_file());
    create_pair_code_sync(*store, make_pair_code("pc_after", kFarFuture));
    store->compact_now();
  }
  // A snapshot holds pair codes; given as a backup, they are dropped too.
  std::filesystem::path snapshot_copy = dir_.path() / "snapshot-copy";
  std::filesystem::copy_file(store_dir() / "snapshot", snapshot_copy);

  EXPECT_EQ(restore_store(store_dir(), backup_file(), ledger(), kKey).pair_codes_dropped, 0u);
  {
    auto store = open();
    EXPECT_TRUE(pending_codes(*store, 1200).empty());
    EXPECT_EQ(redeem_sync(*store, "code-hash-pc_before", "tok_x", 1200).status,
              StoreStatus::invalid_grant);
  }
  RestoreReport report = restore_store(store_dir(), snapshot_copy, ledger(), kKey);
  EXPECT_EQ(report.pair_codes_dropped, 2u);
  EXPECT_EQ(report.tokens_restored, 1u);
  auto store = open();
  EXPECT_TRUE(pending_codes(*store, 1200).empty());
}

TEST_F(BackupTest, RestoreRefusesAnotherKeyOrADamagedBackupAndTouchesNothing) {
  {
    auto store = open();
    create_sync(*store, make_token("tok_a"));
    backup_store(store_dir(), backup_file());
    create_sync(*store, make_token("tok_b"));
  }
  const std::string journal = read_bytes(store_dir() / "journal");
  EXPECT_EQ(restore_error("fp-other"),
            backup_file().string() +
                ": written under another token-hash.key (fingerprint fp-test-key, this server's "
                "key is fp-other); its tokens would match no secret here. Restore it with the key "
                "it was taken with");

  std::string bytes = read_bytes(backup_file());
  write_bytes(backup_file(), bytes.substr(0, bytes.size() - 2));
  std::string error = restore_error();
  EXPECT_EQ(error.rfind(backup_file().string() + ": not a complete fathom-auth backup (", 0), 0u)
      << error;

  FrameScan scan = scan_frames(bytes);
  write_bytes(backup_file(), bytes.substr(0, scan.frames.back().offset));  // no end record
  EXPECT_NE(restore_error().find("the snapshot is incomplete"), std::string::npos);

  EXPECT_EQ(read_bytes(store_dir() / "journal"), journal);
  auto store = open();
  EXPECT_EQ(token_ids(*store), (std::vector<std::string>{"tok_a", "tok_b"}));
}

TEST_F(BackupTest, RestoreCreatesAMissingStore) {
  {
    auto store = open();
    create_sync(*store, make_token("tok_a"));
    backup_store(store_dir(), backup_file());
  }
  std::filesystem::path fresh = dir_.path() / "new-machine" / "store";
  EXPECT_EQ(restore_store(fresh, backup_file(), "", kKey).tokens_restored, 1u);
  auto store = open_at(fresh);
  EXPECT_EQ(token_ids(*store), std::vector<std::string>{"tok_a"});
}

TEST_F(BackupTest, AResetRecordDiscardsTheSnapshotBeforeIt) {
  // What a crash right after restore's journal rename leaves: the old snapshot, and a journal
  // that starts over.
  {
    auto store = open();
    create_sync(*store, make_token("tok_old1"));
    create_sync(*store, make_token("tok_old2"));
    create_pair_code_sync(*store, make_pair_code("pc_old", kFarFuture));
    store->compact_now();
  }
  std::string journal;
  append_frame(journal, header_payload(kKey));
  append_frame(journal, reset_payload());
  append_frame(journal, put_payload(make_token("tok_restored")));
  write_bytes(store_dir() / "journal", journal);
  auto store = open();
  EXPECT_EQ(token_ids(*store), std::vector<std::string>{"tok_restored"});
  EXPECT_TRUE(pending_codes(*store, 1200).empty());
}

}  // namespace
}  // namespace fathom::store
