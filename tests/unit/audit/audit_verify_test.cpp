// verify_audit on real logs: a good chain, then each kind of tampering named at the right event.
#include "audit/audit_verify.h"

#include <gtest/gtest.h>

#include "audit/stored_line.h"
#include "audit_test_util.h"

namespace fathom::audit {
namespace {

using namespace audit_test;

class VerifyAudit : public ::testing::Test {
 protected:
  // 20 events, seq 1..20, in one segment.
  void SetUp() override {
    FileAuditLog log(dir());
    for (int i = 1; i < 20; ++i) log.record(request_event("tok_A", 1000 + i));
    ASSERT_TRUE(record_durable_sync(log, request_event("tok_A", 1020)));
  }
  std::filesystem::path dir() const { return tmp_.path() / "audit"; }
  std::filesystem::path segment() const { return dir() / "000001.log"; }
  std::vector<std::string> lines() const { return split_lines(read_bytes(segment())); }
  void rewrite(const std::vector<std::string>& lines) const {
    write_bytes(segment(), join_lines(lines));
  }
  // Byte offset of line `index` (0-based).
  uint64_t offset_of(size_t index) const {
    uint64_t offset = 0;
    std::vector<std::string> all = lines();
    for (size_t i = 0; i < index; ++i) offset += all[i].size() + 1;
    return offset;
  }

  TempDir tmp_;
};

TEST_F(VerifyAudit, AGoodLogPasses) {
  VerifyReport r = verify_audit(dir());
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.events_checked, 20u);
  EXPECT_EQ(r.first_seq, 1u);
  EXPECT_EQ(r.last_seq, 20u);
  EXPECT_FALSE(r.torn_tail);
  EXPECT_TRUE(r.problem.empty());
}

TEST_F(VerifyAudit, AnEditedStatusIsNamed) {
  std::vector<std::string> all = lines();
  const size_t at = all[11].find("\"status\":200");
  ASSERT_NE(at, std::string::npos);
  all[11].replace(at, 12, "\"status\":201");  // event 12, edited in place
  rewrite(all);

  VerifyReport r = verify_audit(dir());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.events_checked, 12u);
  EXPECT_EQ(r.event_id, "evt_0000000000000013");
  EXPECT_EQ(r.file, "audit/000001.log");
  EXPECT_EQ(r.offset, offset_of(12));
  EXPECT_EQ(r.problem, "event evt_0000000000000013 (audit/000001.log at byte " +
                           std::to_string(offset_of(12)) +
                           "): prev_hash does not match event evt_0000000000000012 before it "
                           "(audit/000001.log at byte " +
                           std::to_string(offset_of(11)) +
                           ") — that event was changed after it was written, or this event's "
                           "prev_hash was");
}

TEST_F(VerifyAudit, ADeletedLineIsNamed) {
  std::vector<std::string> all = lines();
  all.erase(all.begin() + 6);  // event 7
  rewrite(all);
  VerifyReport r = verify_audit(dir());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.event_id, "evt_0000000000000008");
  EXPECT_NE(r.problem.find("seq jumps from 6 to 8 — 1 event (evt_0000000000000007) removed"),
            std::string::npos)
      << r.problem;
}

TEST_F(VerifyAudit, ASeqJumpIsNamed) {
  std::vector<std::string> all = lines();
  std::optional<StoredEvent> e = parse_stored_line(all[9]);  // event 10
  ASSERT_TRUE(e);
  all[9].clear();
  append_stored_line(all[9], 15, e->prev_hash, e->event);
  rewrite(all);
  VerifyReport r = verify_audit(dir());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.event_id, "evt_0000000000000015");
  EXPECT_EQ(r.offset, offset_of(9));
  EXPECT_NE(r.problem.find("seq jumps from 9 to 15"), std::string::npos) << r.problem;
}

TEST_F(VerifyAudit, ALineThatIsNoLongerAnEventIsNamedByPosition) {
  std::vector<std::string> all = lines();
  all[4] += " ";  // valid JSON, but not the log's own bytes
  rewrite(all);
  VerifyReport r = verify_audit(dir());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.offset, offset_of(4));
  EXPECT_NE(r.problem.find("not a valid audit event (the line after event evt_0000000000000004)"),
            std::string::npos)
      << r.problem;
}

TEST_F(VerifyAudit, RemovingTheOldestEventsWithoutAPruneIsNamed) {
  std::vector<std::string> all = lines();
  all.erase(all.begin(), all.begin() + 3);
  rewrite(all);
  VerifyReport r = verify_audit(dir());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.event_id, "evt_0000000000000004");
  EXPECT_NE(r.problem.find("no prune anchor"), std::string::npos) << r.problem;
}

TEST(VerifyAuditDir, AMissingDirectoryIsReported) {
  TempDir tmp;
  VerifyReport r = verify_audit(tmp.path() / "nothing");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.problem.find("no audit log"), std::string::npos);
}

}  // namespace
}  // namespace fathom::audit
