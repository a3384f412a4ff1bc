// Redis failing under a running proxy, while clients keep using a valid and a revoked token:
// stopped (killed, then started again on its data), paused with SIGSTOP, and restarted empty.
// Throughout: the revoked token is never let through, every request is answered (no hang), the
// valid cached token outlives the outage by at most cache.stale_if_error and is then 503
// store_unavailable, tokens not in the cache, admin writes and /readyz are 503; afterwards the
// proxy recovers by itself. An empty Redis is refused loudly, never taken as "no tokens".

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "integration/redis/outage_load.h"
#include "integration/tokens/token_checks.h"
#include "support/redis_fleet.h"
#include "support/redis_server.h"
#include "support/temp_dir.h"

namespace fathom::test::redis {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr seconds kStaleIfError{2};
// Slack for the proxy to see a closed connection and for the clocks of two processes.
constexpr milliseconds kSlack{1000};
// A paused Redis is only noticed when a command or the heartbeat (1 s) passes its deadline
// (command_timeout, 1 s).
constexpr milliseconds kPauseDetection{2000};
constexpr milliseconds kRecovery{15000};  // reconnect backoff tops out at 5 s

long ms_between(Clock::time_point from, Clock::time_point to) {
  return static_cast<long>(duration_cast<milliseconds>(to - from).count());
}

std::string describe(const Sample& s, Clock::time_point fault) {
  return "request sent " + std::to_string(ms_between(fault, s.sent)) + " ms after the fault: " +
         (s.status == 0 ? "no answer (" + s.error + ")"
                        : std::to_string(s.status) + " " + s.error) +
         " after " + std::to_string(ms_between(s.sent, s.answered)) + " ms";
}

void expect_no_problems(const std::vector<std::string>& problems, const std::string& what) {
  std::string shown;
  for (size_t i = 0; i < problems.size() && i < 5; ++i) shown += "\n  " + problems[i];
  EXPECT_TRUE(problems.empty()) << problems.size() << " wrong answers for " << what << ":" << shown;
}

// A proxy on `redis` with stale_if_error 2 s, and its tokens: `valid` (in the cache), `revoked`
// (revoked through the proxy, and presented since), `uncached` (valid, never presented).
struct Scene {
  explicit Scene(const RedisServer& redis)
      : fleet(redis, 1, [](nlohmann::json& config) {
          config["cache"] = {{"stale_if_error", kStaleIfError.count()}};
        }) {
    TokenApi admin = fleet.admin(0);
    ApiReply v = admin.mint("valid", {"lake:read"});
    ApiReply r = admin.mint("revoked", {"lake:read"});
    ApiReply u = admin.mint("uncached", {"lake:read"});
    if (v.status != 201 || r.status != 201 || u.status != 201) {
      throw std::runtime_error("mint failed: " + v.describe() + " / " + r.describe() + " / " +
                               u.describe());
    }
    valid = v.body["token"];
    revoked = r.body["token"];
    uncached = u.body["token"];
    ApiReply gone = admin.revoke(r.body["token_id"].get<std::string>());
    if (gone.status != 200) throw std::runtime_error("revoke failed: " + gone.describe());
  }

  uint16_t port() const { return fleet.port(0); }

  RedisFleet fleet;
  std::string valid;
  std::string revoked;
  std::string uncached;
};

// What every outage must look like from the outside while Redis is unusable (after the proxy
// had time to notice).
void expect_refusing(const Scene& s) {
  Response u = tokens::get_stats(s.port(), s.uncached);
  EXPECT_TRUE(is_store_unavailable(u))
      << "a valid token not in the cache: " << u.status_line() << "\n"
      << u.body;
  // A well-formed token nobody minted cannot be told from a valid one without the store.
  Response n = tokens::get_stats(s.port(), tokens::unminted_token());
  EXPECT_TRUE(is_store_unavailable(n)) << "an unknown token: " << n.status_line() << "\n" << n.body;
  ApiReply minted = s.fleet.admin(0).mint("during-outage", {"lake:read"});
  EXPECT_EQ(minted.status, 503) << minted.describe();
  EXPECT_EQ(minted.error(), "store_unavailable") << minted.describe();
  Response ready = fetch(s.port(), "GET", "/readyz", "", "", kNoHang);
  EXPECT_EQ(ready.status, 503) << ready.body;
}

// The valid token's answers: 200 while Redis is fine and, once it fails, only for requests sent
// before `stale_limit`; else 503 store_unavailable; 200 again once Redis is back at `recovered`
// (max(): it is not expected back). Every request answered.
void expect_valid_answers(const std::vector<Sample>& samples, Clock::time_point fault,
                          Clock::time_point stale_limit, Clock::time_point recovered) {
  std::vector<std::string> problems;
  long last_ok_ms = -1;
  size_t ok_before = 0;
  size_t ok_after = 0;
  for (const Sample& s : samples) {
    const bool ok = s.status == 200;
    const bool unavailable = s.status == 503 && s.error == "store_unavailable";
    if (s.answered < fault) {
      ok_before += ok;
      if (!ok) problems.push_back("before the fault: " + describe(s, fault));
      continue;
    }
    if (s.sent >= recovered) {
      ok_after += ok;
      if (!ok && !unavailable) problems.push_back("after recovery: " + describe(s, fault));
      continue;
    }
    if (ok) {
      last_ok_ms = ms_between(fault, s.sent);
      if (s.sent > stale_limit)
        problems.push_back("served past stale_if_error: " + describe(s, fault));
    } else if (!unavailable) {
      problems.push_back(describe(s, fault));
    }
  }
  ::testing::Test::RecordProperty("valid_token_last_200_after_fault_ms",
                                  static_cast<int>(last_ok_ms));
  std::printf("valid cached token: last 200 sent %ld ms after the fault (stale_if_error %lld s)\n",
              last_ok_ms, static_cast<long long>(kStaleIfError.count()));
  EXPECT_GT(ok_before, 0u) << "the valid token never worked before the fault";
  if (recovered != Clock::time_point::max()) {
    EXPECT_GT(ok_after, 0u) << "the valid token never worked again after recovery";
  }
  expect_no_problems(problems, "the valid token");
}

// The revoked token: never 200, and every request answered.
void expect_revoked_answers(const std::vector<Sample>& samples, Clock::time_point fault) {
  std::vector<std::string> problems;
  for (const Sample& s : samples) {
    const bool refused = s.status == 401 || (s.status == 503 && s.error == "store_unavailable");
    if (!refused) problems.push_back(describe(s, fault));
  }
  EXPECT_FALSE(samples.empty());
  expect_no_problems(problems, "the revoked token");
}

// After Redis is back: ready, and every token answers as before the outage, without a restart.
Clock::time_point expect_recovery(const Scene& s, Clock::time_point back) {
  const bool ready = wait_ready_status(s.port(), 200, kRecovery);
  const Clock::time_point recovered = Clock::now();
  EXPECT_TRUE(ready) << "/readyz is not 200 " << kRecovery.count() << " ms after Redis came back";
  ::testing::Test::RecordProperty("recovery_ms", static_cast<int>(ms_between(back, recovered)));
  std::printf("ready again %ld ms after Redis came back\n", ms_between(back, recovered));
  EXPECT_EQ(tokens::get_stats(s.port(), s.valid).status, 200);
  EXPECT_EQ(tokens::get_stats(s.port(), s.uncached).status, 200);
  tokens::expect_invalid_token(tokens::get_stats(s.port(), s.revoked), true);
  ApiReply minted = s.fleet.admin(0).mint("after-outage", {"lake:read"});
  EXPECT_EQ(minted.status, 201) << minted.describe();
  return recovered;
}

void warm(const Scene& s) {
  ASSERT_EQ(tokens::get_stats(s.port(), s.valid).status, 200);
  tokens::expect_invalid_token(tokens::get_stats(s.port(), s.revoked), true);
}

TEST(RedisOutage, StoppedThenStartedOnItsData) {
  RedisServerOptions options;
  options.appendonly = true;  // the restart finds every token again
  options.appendfsync = "always";
  RedisServer redis(options);
  Scene s(redis);
  warm(s);
  TokenLoad load(s.port(), {s.valid, s.revoked});
  std::this_thread::sleep_for(milliseconds(300));

  const Clock::time_point fault = Clock::now();
  redis.stop();
  EXPECT_TRUE(wait_ready_status(s.port(), 503, seconds(3))) << "/readyz still 200 without Redis";
  expect_refusing(s);
  // Past the stale window, the cached token is refused too.
  std::this_thread::sleep_until(fault + kStaleIfError + kSlack);
  Response late = tokens::get_stats(s.port(), s.valid);
  EXPECT_TRUE(is_store_unavailable(late)) << late.status_line() << "\n" << late.body;
  std::this_thread::sleep_for(milliseconds(500));

  redis.restart_keep_data();  // already stopped: starts it on the data folder (the AOF)
  const Clock::time_point back = Clock::now();
  expect_recovery(s, back);
  std::this_thread::sleep_for(milliseconds(300));
  load.stop();
  EXPECT_TRUE(s.fleet.daemon(0).running());
  expect_valid_answers(load.samples(0), fault, fault + kStaleIfError + kSlack, back);
  expect_revoked_answers(load.samples(1), fault);
}

TEST(RedisOutage, PausedThenContinued) {
  RedisServer redis;
  Scene s(redis);
  warm(s);
  TokenLoad load(s.port(), {s.valid, s.revoked});
  std::this_thread::sleep_for(milliseconds(300));

  const Clock::time_point fault = Clock::now();
  redis.pause();
  EXPECT_TRUE(wait_ready_status(s.port(), 503, kPauseDetection + kSlack + seconds(2)))
      << "/readyz still 200 with Redis paused";
  expect_refusing(s);
  std::this_thread::sleep_until(fault + kPauseDetection + kStaleIfError + kSlack);
  Response late = tokens::get_stats(s.port(), s.valid);
  EXPECT_TRUE(is_store_unavailable(late)) << late.status_line() << "\n" << late.body;

  redis.resume();
  const Clock::time_point back = Clock::now();
  expect_recovery(s, back);
  std::this_thread::sleep_for(milliseconds(300));
  load.stop();
  EXPECT_TRUE(s.fleet.daemon(0).running());
  expect_valid_answers(load.samples(0), fault, fault + kPauseDetection + kStaleIfError + kSlack,
                       back);
  expect_revoked_answers(load.samples(1), fault);
}

TEST(RedisOutage, RestartedEmptyIsRefusedLoudly) {
  RedisServer redis;
  Scene s(redis);
  warm(s);
  const std::string bootstrap_file = state_dir_of(s.fleet.daemon(0)) + "/bootstrap-token";
  const std::string bootstrap_before = read_file(bootstrap_file);
  TokenLoad load(s.port(), {s.valid, s.revoked});
  std::this_thread::sleep_for(milliseconds(300));

  const Clock::time_point fault = Clock::now();
  redis.restart_empty();
  // However long the proxy takes to reconnect, it must never call an empty Redis ready.
  const Clock::time_point watch_until = Clock::now() + seconds(3);
  int ready_200 = 0;
  while (Clock::now() < watch_until) {
    ready_200 += fetch(s.port(), "GET", "/readyz", "", "", kNoHang).status == 200;
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(ready_200, 0) << "/readyz said 200 on a Redis that lost every token";
  expect_refusing(s);
  std::this_thread::sleep_until(fault + kStaleIfError + kSlack);
  Response late = tokens::get_stats(s.port(), s.valid);
  EXPECT_TRUE(is_store_unavailable(late)) << late.status_line() << "\n" << late.body;
  std::this_thread::sleep_for(milliseconds(300));
  load.stop();

  DaemonProcess& daemon = s.fleet.daemon(0);
  EXPECT_TRUE(daemon.running()) << "the daemon exited";
  EXPECT_EQ(fetch(s.port(), "GET", "/healthz").status, 200);
  EXPECT_TRUE(daemon.wait_for_stderr("redis_store_refused", seconds(2)))
      << "the refusal was not logged";
  // Not taken as a fresh store: nothing written to Redis, no second bootstrap token.
  EXPECT_EQ(redis.command({"KEYS", "fathom:*"}), "*0\r\n") << "the proxy wrote to the empty Redis";
  EXPECT_EQ(read_file(bootstrap_file), bootstrap_before);
  expect_valid_answers(load.samples(0), fault, fault + kStaleIfError + kSlack,
                       Clock::time_point::max());
  expect_revoked_answers(load.samples(1), fault);
}

}  // namespace
}  // namespace fathom::test::redis
