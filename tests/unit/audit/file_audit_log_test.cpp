// FileAuditLog against real files: fields, ordering and paging, filters, durability, reopening,
// torn tails, a failing sync and pruning.
#include "audit/file_audit_log.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <set>

#include "audit/audit_cursor.h"
#include "audit/audit_error.h"
#include "audit/audit_verify.h"
#include "audit/stored_line.h"
#include "audit_test_util.h"

namespace fathom::audit {
namespace {

using namespace audit_test;

TEST(FileAuditLog, EveryFieldRoundTripsAndTheLogAssignsIds) {
  TempDir tmp;
  const auto dir = tmp.path() / "audit";
  FileAuditLog log(dir);
  AuditEvent e;
  e.time = 1700000123;
  e.kind = "token.rotated";
  e.token_id = "tok_AAAAAAAAAAAAAAAA";
  e.actor_token_id = "tok_BBBBBBBBBBBBBBBB";
  e.method = "POST";
  e.path = "/v1/tokens/tok_AAAAAAAAAAAAAAAA/rotate";
  e.status = 201;
  e.client = "2001:db8::1";
  e.user_agent = "agent \"quoted\" \\ tab\t ünïcode \x01";
  e.request_id = "req-1";
  e.pair_code_id = "pc_CCCCCCCCCCCCCCCC";
  e.detail = "rotated to tok_DDDDDDDDDDDDDDDD";
  ASSERT_TRUE(record_durable_sync(log, e));

  QueryResult r = query_sync(log, {});
  ASSERT_EQ(r.status, AuditStatus::ok);
  ASSERT_EQ(r.page.events.size(), 1u);
  const AuditEvent& got = r.page.events[0];
  EXPECT_EQ(got.event_id, "evt_0000000000000001");
  EXPECT_EQ(got.time, e.time);
  EXPECT_EQ(got.kind, e.kind);
  EXPECT_EQ(got.token_id, e.token_id);
  EXPECT_EQ(got.actor_token_id, e.actor_token_id);
  EXPECT_EQ(got.method, e.method);
  EXPECT_EQ(got.path, e.path);
  EXPECT_EQ(got.status, e.status);
  EXPECT_EQ(got.client, e.client);
  EXPECT_EQ(got.user_agent, e.user_agent);
  EXPECT_EQ(got.request_id, e.request_id);
  EXPECT_EQ(got.pair_code_id, e.pair_code_id);
  EXPECT_EQ(got.detail, e.detail);
  EXPECT_TRUE(r.page.next_cursor.empty());

  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((dir / "000001.log").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(FileAuditLog, InvalidUtf8IsReplacedSoTheLineStaysReadable) {
  TempDir tmp;
  FileAuditLog log(tmp.path());
  AuditEvent e = request_event("tok_A", 1);
  e.user_agent = "bad \xff\xfe bytes";
  ASSERT_TRUE(record_durable_sync(log, e));
  QueryResult r = query_sync(log, {});
  ASSERT_EQ(r.page.events.size(), 1u);
  EXPECT_EQ(r.page.events[0].user_agent, "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes");
  EXPECT_TRUE(verify_audit(tmp.path()).ok);
}

TEST(FileAuditLog, PagesReturnEveryEventOnceNewestFirstAcrossSegments) {
  TempDir tmp;
  FileAuditLogOptions options;
  options.segment_bytes = 4096;  // many segments
  FileAuditLog log(tmp.path(), options);
  for (int i = 0; i < 1000; ++i)
    log.record(request_event(i % 3 == 0 ? "tok_A" : "tok_B", 1000 + i));
  ASSERT_TRUE(record_durable_sync(log, request_event("tok_A", 5000)));
  EXPECT_GT(list_segments(tmp.path()).size(), 20u);

  AuditQuery q;
  q.limit = 7;
  std::vector<AuditEvent> all = query_all(log, q);
  ASSERT_EQ(all.size(), 1001u);
  std::set<std::string> ids;
  for (size_t i = 0; i < all.size(); ++i) {
    ids.insert(all[i].event_id);
    if (i > 0) {
      EXPECT_GT(all[i - 1].event_id, all[i].event_id);
    }
  }
  EXPECT_EQ(ids.size(), 1001u);
  EXPECT_EQ(all.front().event_id, "evt_0000000000001001");
  EXPECT_EQ(all.back().event_id, "evt_0000000000000001");
}

TEST(FileAuditLog, FiltersByTokenSinceAndUntil) {
  TempDir tmp;
  FileAuditLog log(tmp.path());
  for (int i = 0; i < 300; ++i) log.record(request_event(i % 2 == 0 ? "tok_A" : "tok_B", 1000 + i));
  ASSERT_TRUE(record_durable_sync(log, request_event("tok_C", 2000)));

  AuditQuery q;
  q.token_id = "tok_A";
  q.limit = 1000;
  std::vector<AuditEvent> a = query_all(log, q);
  ASSERT_EQ(a.size(), 150u);
  for (const AuditEvent& e : a) EXPECT_EQ(e.token_id, "tok_A");

  q.since = 1100;  // inclusive
  q.until = 1200;  // exclusive
  q.limit = 9;
  std::vector<AuditEvent> window = query_all(log, q);
  ASSERT_EQ(window.size(), 50u);
  EXPECT_EQ(window.front().time, 1198);
  EXPECT_EQ(window.back().time, 1100);

  AuditQuery everyone;
  everyone.since = 1299;
  everyone.limit = 1000;
  std::vector<AuditEvent> recent = query_all(log, everyone);
  ASSERT_EQ(recent.size(), 2u);  // tok_B at 1299 and tok_C at 2000
  EXPECT_EQ(recent[0].token_id, "tok_C");

  AuditQuery unknown;
  unknown.token_id = "tok_nobody";
  EXPECT_TRUE(query_sync(log, unknown).page.events.empty());
}

TEST(FileAuditLog, LimitIsClampedToOneThroughAThousand) {
  TempDir tmp;
  FileAuditLog log(tmp.path());
  for (int i = 0; i < 1200; ++i) log.record(request_event("tok_A", i));
  ASSERT_TRUE(record_durable_sync(log, request_event("tok_A", 1200)));
  AuditQuery q;
  q.limit = 0;
  QueryResult one = query_sync(log, q);
  EXPECT_EQ(one.page.events.size(), 1u);
  EXPECT_FALSE(one.page.next_cursor.empty());
  q.limit = 5000;
  EXPECT_EQ(query_sync(log, q).page.events.size(), 1000u);
  q.limit = 1000;
  q.cursor = query_sync(log, q).page.next_cursor;
  QueryResult rest = query_sync(log, q);
  EXPECT_EQ(rest.page.events.size(), 201u);
  EXPECT_TRUE(rest.page.next_cursor.empty());
}

TEST(FileAuditLog, DamagedOrForeignCursorsAreRefused) {
  TempDir tmp;
  FileAuditLog log(tmp.path());
  ASSERT_TRUE(record_durable_sync(log, request_event("tok_A", 1)));
  const std::string good = encode_cursor(5);
  std::string flipped = good;
  flipped[10] = flipped[10] == '0' ? '1' : '0';
  for (const std::string& bad : {std::string("x"), std::string("c123"), flipped, good + "0",
                                 encode_cursor(5).replace(0, 1, "d")}) {
    AuditQuery q;
    q.cursor = bad;
    EXPECT_EQ(query_sync(log, q).status, AuditStatus::bad_cursor) << bad;
  }
  AuditQuery q;
  q.cursor = good;
  QueryResult r = query_sync(log, q);
  EXPECT_EQ(r.status, AuditStatus::ok);
  EXPECT_EQ(r.page.events.size(), 1u);  // seq 1 is below 5
}

TEST(FileAuditLog, DurableCallbackComesAfterTheEventIsOnDisk) {
  TempDir tmp;
  std::atomic<int> syncs{0};
  FileAuditLogOptions options;
  options.flush_interval = std::chrono::milliseconds(1000);
  options.sync = [&](int fd) {
    ++syncs;
    return ::fdatasync(fd);
  };
  FileAuditLog log(tmp.path(), options);
  log.record(request_event("tok_A", 1));
  const int before = syncs;
  ASSERT_TRUE(record_durable_sync(log, request_event("tok_A", 2)));
  EXPECT_GT(syncs, before);
  // Both lines are in the file by the time the callback runs: group commit.
  EXPECT_EQ(split_lines(read_bytes(tmp.path() / "000001.log")).size(), 2u);
}

TEST(FileAuditLog, QuiesceWaitsForQueuedDurableCallbacks) {
  TempDir tmp;
  FileAuditLogOptions options;
  options.flush_interval = std::chrono::milliseconds(1000);
  FileAuditLog log(tmp.path(), options);
  std::atomic<int> answered{0};
  for (int i = 0; i < 50; ++i) {
    log.record_durable(request_event("tok_A", i), [&](bool durable) {
      EXPECT_TRUE(durable);
      ++answered;
    });
  }
  log.quiesce();
  EXPECT_EQ(answered, 50);
}

TEST(FileAuditLog, ReopeningContinuesTheSequenceAndTheChain) {
  TempDir tmp;
  {
    FileAuditLog log(tmp.path());
    for (int i = 0; i < 10; ++i) log.record(request_event("tok_A", i));
  }  // the destructor writes what is queued
  {
    FileAuditLog log(tmp.path());
    ASSERT_TRUE(record_durable_sync(log, request_event("tok_B", 100)));
    AuditQuery q;
    q.token_id = "tok_B";
    QueryResult r = query_sync(log, q);
    ASSERT_EQ(r.page.events.size(), 1u);
    EXPECT_EQ(r.page.events[0].event_id, "evt_0000000000000011");
    AuditQuery a;
    a.token_id = "tok_A";
    EXPECT_EQ(query_sync(log, a).page.events.size(), 10u);
  }
  VerifyReport report = verify_audit(tmp.path());
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.events_checked, 11u);
}

TEST(FileAuditLog, ASecondLogOnTheSameDirectoryIsRefused) {
  TempDir tmp;
  FileAuditLog log(tmp.path());
  EXPECT_THROW(FileAuditLog second(tmp.path()), AuditError);
}

TEST(FileAuditLog, TornTailIsTruncatedAtOpen) {
  TempDir tmp;
  {
    FileAuditLog log(tmp.path());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(record_durable_sync(log, request_event("tok_A", i)));
  }
  const auto segment = tmp.path() / "000001.log";
  const std::string whole = read_bytes(segment);
  write_bytes(segment, whole + "{\"seq\":6,\"prev_hash\":\"ab");

  VerifyReport torn = verify_audit(tmp.path());
  EXPECT_TRUE(torn.ok) << torn.problem;
  EXPECT_TRUE(torn.torn_tail);
  EXPECT_NE(torn.torn_tail_note.find("not a sign of tampering"), std::string::npos);

  {
    FileAuditLog log(tmp.path());
    EXPECT_EQ(read_bytes(segment), whole);
    ASSERT_TRUE(record_durable_sync(log, request_event("tok_A", 6)));
    EXPECT_EQ(query_sync(log, {}).page.events[0].event_id, "evt_0000000000000006");
  }
  VerifyReport after = verify_audit(tmp.path());
  EXPECT_TRUE(after.ok) << after.problem;
  EXPECT_FALSE(after.torn_tail);
  EXPECT_EQ(after.events_checked, 6u);
}

TEST(FileAuditLog, ADamagedLineInTheMiddleStopsTheOpen) {
  TempDir tmp;
  {
    FileAuditLog log(tmp.path());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(record_durable_sync(log, request_event("tok_A", i)));
  }
  const auto segment = tmp.path() / "000001.log";
  std::vector<std::string> lines = split_lines(read_bytes(segment));
  lines[1] = "garbage";
  write_bytes(segment, join_lines(lines));
  try {
    FileAuditLog log(tmp.path());
    FAIL() << "opened a damaged log";
  } catch (const AuditError& e) {
    EXPECT_NE(std::string(e.what()).find("000001.log at byte"), std::string::npos) << e.what();
  }
}

TEST(FileAuditLog, KilledMidWriteKeepsEveryDurableEvent) {
  TempDir tmp;
  int acks[2];
  ASSERT_EQ(::pipe(acks), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(acks[0]);
    FileAuditLog log(tmp.path());
    for (uint32_t i = 1;; ++i) {
      log.record(request_event("tok_bulk", i));  // not waited for
      if (i % 10 == 0) {
        std::promise<bool> p;
        log.record_durable(request_event("tok_durable", i), [&](bool ok) { p.set_value(ok); });
        if (!p.get_future().get()) ::_exit(1);
        if (::write(acks[1], &i, sizeof i) != sizeof i) ::_exit(1);
      }
    }
  }
  ::close(acks[1]);
  uint32_t last_ack = 0;
  for (int n = 0; n < 200; ++n) {
    ASSERT_EQ(::read(acks[0], &last_ack, sizeof last_ack), static_cast<ssize_t>(sizeof last_ack));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(acks[0]);

  FileAuditLog log(tmp.path());
  AuditQuery q;
  q.token_id = "tok_durable";
  q.limit = 1000;
  std::vector<AuditEvent> durable = query_all(log, q);
  ASSERT_GE(durable.size(), 200u);
  std::set<UnixTime> times;
  for (const AuditEvent& e : durable) times.insert(e.time);
  for (uint32_t i = 10; i <= last_ack; i += 10) EXPECT_TRUE(times.count(i)) << i;
  ASSERT_TRUE(record_durable_sync(log, request_event("tok_after", 1)));
  VerifyReport report = verify_audit(tmp.path());
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_FALSE(report.torn_tail);
}

TEST(FileAuditLog, AFailedSyncStopsTheLogForGood) {
  TempDir tmp;
  std::atomic<bool> fail{false};
  FileAuditLogOptions options;
  options.sync = [&](int fd) {
    if (fail) {
      errno = EIO;
      return -1;
    }
    return ::fdatasync(fd);
  };
  FileAuditLog log(tmp.path(), options);
  ASSERT_TRUE(record_durable_sync(log, request_event("tok_A", 1)));
  EXPECT_TRUE(log.ready());
  fail = true;
  EXPECT_FALSE(record_durable_sync(log, request_event("tok_A", 2)));
  EXPECT_FALSE(log.ready());
  fail = false;  // a later sync that works proves nothing: the log stays stopped
  EXPECT_FALSE(record_durable_sync(log, request_event("tok_A", 3)));
  log.record(request_event("tok_A", 4));
  EXPECT_EQ(query_sync(log, {}).status, AuditStatus::unavailable);
  EXPECT_EQ(log.prune(1u << 30), 0u);
}

TEST(FileAuditLog, PruneDeletesOldSegmentsRecordsItAndVerifyStillPasses) {
  TempDir tmp;
  constexpr UnixTime kDay = 86400;
  const UnixTime now = 100 * kDay;
  FileAuditLogOptions options;
  options.segment_bytes = 4096;
  options.retain_days = 30;
  uint64_t pruned = 0;
  {
    FileAuditLog log(tmp.path(), options);
    for (int i = 0; i < 200; ++i) log.record(request_event("tok_old", now - 60 * kDay + i));
    for (int i = 0; i < 200; ++i) log.record(request_event("tok_new", now - kDay + i));
    ASSERT_TRUE(record_durable_sync(log, request_event("tok_new", now)));
    const size_t segments_before = list_segments(tmp.path()).size();

    pruned = log.prune(now);
    EXPECT_GT(pruned, 150u);
    EXPECT_LE(pruned, 200u);
    EXPECT_LT(list_segments(tmp.path()).size(), segments_before);
    EXPECT_EQ(log.prune(now), 0u);  // nothing more is old enough

    QueryResult newest = query_sync(log, {});
    ASSERT_EQ(newest.status, AuditStatus::ok);
    const AuditEvent& event = newest.page.events[0];
    EXPECT_EQ(event.kind, "audit.pruned");
    EXPECT_NE(event.detail.find("pruned " + std::to_string(pruned) + " events"), std::string::npos)
        << event.detail;
    EXPECT_NE(event.detail.find(event_id_for(pruned)), std::string::npos) << event.detail;
    AuditQuery new_only;
    new_only.token_id = "tok_new";
    new_only.limit = 1000;
    EXPECT_EQ(query_all(log, new_only).size(), 201u);
    AuditQuery old_only;
    old_only.token_id = "tok_old";
    old_only.limit = 1000;
    EXPECT_EQ(query_all(log, old_only).size(), 200 - pruned);
  }
  VerifyReport report = verify_audit(tmp.path());
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.first_seq, pruned + 1);
  EXPECT_EQ(report.last_seq, 402u);

  // Reopened, the log continues after the pruned event, and the chain still holds.
  {
    FileAuditLog log(tmp.path(), options);
    ASSERT_TRUE(record_durable_sync(log, request_event("tok_new", now + 1)));
    EXPECT_EQ(query_sync(log, {}).page.events[0].event_id, "evt_0000000000000403");
  }
  EXPECT_TRUE(verify_audit(tmp.path()).ok);
}

TEST(FileAuditLog, KeepForeverNeverPrunes) {
  TempDir tmp;
  FileAuditLogOptions options;
  options.segment_bytes = 4096;
  options.retain_days = 0;
  FileAuditLog log(tmp.path(), options);
  for (int i = 0; i < 100; ++i) log.record(request_event("tok_old", 1));
  ASSERT_TRUE(record_durable_sync(log, request_event("tok_old", 2)));
  EXPECT_EQ(log.prune(1u << 30), 0u);
  EXPECT_EQ(query_sync(log, {}).page.events[0].kind, "request");
}

TEST(FileAuditLog, BadOptionsAreRefused) {
  TempDir tmp;
  FileAuditLogOptions small;
  small.segment_bytes = 100;
  EXPECT_THROW(FileAuditLog(tmp.path(), small), AuditError);
  FileAuditLogOptions slow;
  slow.flush_interval = std::chrono::milliseconds(5000);
  EXPECT_THROW(FileAuditLog(tmp.path(), slow), AuditError);
}

}  // namespace
}  // namespace fathom::audit
