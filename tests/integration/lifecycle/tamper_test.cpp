// Tamper evidence: every audit event carries the hash of the one before it, so editing one event
// on disk (a status digit, same length, so nothing else moves) is caught by
// `fathom-auth audit verify`, which names the edited event. An untouched log verifies, also while
// the daemon writes to it.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "integration/lifecycle/lifecycle_checks.h"
#include "support/binaries.h"
#include "support/child_process.h"
#include "support/http_client.h"
#include "support/temp_dir.h"
#include "support/token_api.h"

namespace fathom::test {
namespace {

using lifecycle::Events;
using lifecycle::text_of;
using std::chrono::seconds;

constexpr int kRequests = 40;

RunResult verify(const DaemonProcess& daemon, const TempDir& scratch) {
  return run_to_exit({daemon_binary(), "audit", "verify", "--config", daemon.config_path()},
                     scratch.path(), seconds(60));
}

std::string describe(const RunResult& r) {
  return r.status.describe() + (r.timed_out ? " (timed out)" : "") + "\nstdout: " + r.out +
         "\nstderr: " + r.err;
}

std::vector<std::filesystem::path> segments(const std::string& audit_dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(audit_dir)) {
    if (entry.path().extension() == ".log") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// A busy daemon: a token that made kRequests requests, all of them durable in the audit.
struct Busy {
  TokenProxy p;
  std::string audit_dir;

  Busy() : audit_dir(state_dir_of(p.daemon) + "/audit") {
    TokenApi admin = p.admin();
    ApiReply minted = admin.mint("busy", {"lake:read"});
    if (minted.status != 201) {
      ADD_FAILURE() << minted.describe();
      return;
    }
    const std::string token = minted.body["token"];
    const std::string id = minted.body["token_id"];
    for (int i = 0; i < kRequests; ++i) {
      Response r = fetch(p.port(), "GET", "/v1/stats", bearer(token));
      EXPECT_EQ(r.status, 200) << r.status_line();
    }
    Events events = lifecycle::poll_audit(
        admin, "token_id=" + id, [](const Events& found) { return found.size() >= kRequests + 1; });
    EXPECT_EQ(events.size(), static_cast<size_t>(kRequests + 1))
        << "the requests were not durable in the audit within " << lifecycle::kDurableWithin.count()
        << " s";
  }
};

TEST(LifecycleAuditTamper, AnUntouchedLogVerifiesWhileTheDaemonRunsAndAfterItStops) {
  Busy b;
  ASSERT_FALSE(HasFailure());
  TempDir scratch;
  RunResult running = verify(b.p.daemon, scratch);
  EXPECT_TRUE(running.status.success()) << "verify while the daemon runs: " << describe(running);
  EXPECT_NE(running.out.find("ok"), std::string::npos) << describe(running);

  ASSERT_TRUE(b.p.daemon.terminate().has_value());
  RunResult stopped = verify(b.p.daemon, scratch);
  EXPECT_TRUE(stopped.status.success()) << "verify after a clean stop: " << describe(stopped);
  EXPECT_NE(stopped.out.find("ok"), std::string::npos) << describe(stopped);
}

TEST(LifecycleAuditTamper, OneEditedStatusDigitIsNamedByAuditVerify) {
  Busy b;
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(b.p.daemon.terminate().has_value());

  // The edit: the last digit of the status of a request event in the middle of the first
  // segment, so that later events chain to it.
  std::vector<std::filesystem::path> files = segments(b.audit_dir);
  ASSERT_FALSE(files.empty()) << "no audit segment (*.log) in " << b.audit_dir;
  const std::string original = read_file(files.front().string());
  std::vector<std::string> lines = lines_of(original);
  std::vector<size_t> with_status;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    if (lines[i].find("\"kind\":\"request\"") != std::string::npos &&
        lines[i].find("\"status\":200") != std::string::npos) {
      with_status.push_back(i);
    }
  }
  ASSERT_GE(with_status.size(), 3u) << "too few request events in " << files.front();
  const size_t target = with_status[with_status.size() / 2];
  const nlohmann::json event = nlohmann::json::parse(lines[target]);
  const std::string event_id = text_of(event, "event_id");
  ASSERT_FALSE(event_id.empty()) << lines[target];

  size_t line_start = 0;
  for (size_t i = 0; i < target; ++i) line_start += lines[i].size() + 1;
  const size_t digit =
      original.find("\"status\":200", line_start) + std::string("\"status\":20").size();
  ASSERT_LT(digit, line_start + lines[target].size());
  std::string edited = original;
  edited[digit] = '1';  // 200 -> 201
  write_file(files.front().string(), edited);

  TempDir scratch;
  RunResult broken = verify(b.p.daemon, scratch);
  EXPECT_FALSE(broken.status.success()) << "verify did not notice the edit: " << describe(broken);
  EXPECT_EQ(broken.status.code, 1) << describe(broken);
  EXPECT_NE((broken.out + broken.err).find(event_id), std::string::npos)
      << "verify does not name the edited event " << event_id << ": " << describe(broken);

  // Put back, the chain holds again: the edit was the only problem.
  write_file(files.front().string(), original);
  RunResult repaired = verify(b.p.daemon, scratch);
  EXPECT_TRUE(repaired.status.success()) << describe(repaired);
}

}  // namespace
}  // namespace fathom::test
