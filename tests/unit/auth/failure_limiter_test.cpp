#include "auth/failure_limiter.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace fathom::auth {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const SteadyTime kT0 = SteadyTime{} + std::chrono::hours(1);

TEST(FailureLimiter, AllowsTheBurstThenBlocks) {
  FailureLimiter limiter(60, 3);
  seconds retry{0};
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.blocked("10.0.0.1", kT0, &retry)) << i;
    limiter.record_failure("10.0.0.1", kT0);
  }
  EXPECT_TRUE(limiter.blocked("10.0.0.1", kT0, &retry));
  EXPECT_EQ(retry, seconds(1));  // 60 a minute: one back each second
  // Other addresses are not affected.
  EXPECT_FALSE(limiter.blocked("10.0.0.2", kT0, &retry));
  EXPECT_TRUE(limiter.blocked("10.0.0.1", kT0, nullptr));  // retry_after is optional
}

TEST(FailureLimiter, RetryAfterIsTheTimeUntilOneTokenRefills) {
  FailureLimiter limiter(6, 2);  // one token every 10 s
  limiter.record_failure("a", kT0);
  limiter.record_failure("a", kT0);
  seconds retry{0};
  ASSERT_TRUE(limiter.blocked("a", kT0, &retry));
  EXPECT_EQ(retry, seconds(10));
  ASSERT_TRUE(limiter.blocked("a", kT0 + seconds(4), &retry));
  EXPECT_EQ(retry, seconds(6));
  ASSERT_TRUE(limiter.blocked("a", kT0 + milliseconds(9500), &retry));
  EXPECT_EQ(retry, seconds(1));  // rounded up, never 0
  EXPECT_FALSE(limiter.blocked("a", kT0 + seconds(10), &retry));
}

TEST(FailureLimiter, RefillsOverTimeUpToTheBurst) {
  FailureLimiter limiter(60, 3);
  for (int i = 0; i < 3; ++i) limiter.record_failure("a", kT0);
  ASSERT_TRUE(limiter.blocked("a", kT0, nullptr));
  // One second: one token, one more failure allowed.
  EXPECT_FALSE(limiter.blocked("a", kT0 + seconds(1), nullptr));
  limiter.record_failure("a", kT0 + seconds(1));
  EXPECT_TRUE(limiter.blocked("a", kT0 + seconds(1), nullptr));
  // A long pause refills to the burst, not beyond.
  const SteadyTime later = kT0 + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.blocked("a", later, nullptr)) << i;
    limiter.record_failure("a", later);
  }
  EXPECT_TRUE(limiter.blocked("a", later, nullptr));
}

TEST(FailureLimiter, ToleratesATimeSlightlyInThePast) {
  FailureLimiter limiter(60, 1);
  limiter.record_failure("a", kT0);
  seconds retry{0};
  EXPECT_TRUE(limiter.blocked("a", kT0 - milliseconds(5), &retry));
  EXPECT_EQ(retry, seconds(1));
}

TEST(FailureLimiter, ZeroPerMinuteIsOff) {
  FailureLimiter limiter(0, 3);
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 100; ++i) limiter.record_failure("a", kT0);
  EXPECT_FALSE(limiter.blocked("a", kT0, nullptr));
  EXPECT_EQ(limiter.tracked(), 0u);
}

TEST(FailureLimiter, ZeroBurstStillAllowsOneTry) {
  FailureLimiter limiter(60, 0);
  EXPECT_FALSE(limiter.blocked("a", kT0, nullptr));
  limiter.record_failure("a", kT0);
  EXPECT_TRUE(limiter.blocked("a", kT0, nullptr));
}

TEST(FailureLimiter, CheckingDoesNotRemember) {
  FailureLimiter limiter(60, 3);
  for (int i = 0; i < 100; ++i) limiter.blocked("addr" + std::to_string(i), kT0, nullptr);
  EXPECT_EQ(limiter.tracked(), 0u);
}

TEST(FailureLimiter, StaysWithinItsBound) {
  FailureLimiter limiter(60, 3, 100);
  for (int i = 0; i < 10000; ++i) {
    limiter.record_failure("addr" + std::to_string(i), kT0 + milliseconds(i));
    ASSERT_LE(limiter.tracked(), 100u);
  }
  EXPECT_EQ(limiter.tracked(), 100u);
}

TEST(FailureLimiter, WhenFullForgetsRefilledAddressesFirst) {
  FailureLimiter limiter(60, 2, 2);
  limiter.record_failure("idle", kT0);  // 1 of 2 left; full again at kT0 + 1 s
  limiter.record_failure("busy", kT0 + milliseconds(500));
  limiter.record_failure("busy", kT0 + milliseconds(500));  // empty
  const SteadyTime now = kT0 + milliseconds(1200);
  ASSERT_TRUE(limiter.blocked("busy", now, nullptr));
  limiter.record_failure("new", now);
  EXPECT_EQ(limiter.tracked(), 2u);
  EXPECT_TRUE(limiter.blocked("busy", now, nullptr)) << "the blocked address was kept";
}

TEST(FailureLimiter, WhenFullOfFailingAddressesForgetsTheOldest) {
  FailureLimiter limiter(1, 1, 2);  // one a minute: nothing refills during the test
  limiter.record_failure("first", kT0);
  limiter.record_failure("second", kT0 + seconds(1));
  limiter.record_failure("first", kT0 + seconds(2));  // now the most recent failure
  limiter.record_failure("third", kT0 + seconds(3));
  EXPECT_EQ(limiter.tracked(), 2u);
  const SteadyTime now = kT0 + seconds(3);
  EXPECT_TRUE(limiter.blocked("first", now, nullptr));
  EXPECT_FALSE(limiter.blocked("second", now, nullptr)) << "least recently failed, forgotten";
  EXPECT_TRUE(limiter.blocked("third", now, nullptr));
}

TEST(FailureLimiter, IsSafeFromManyThreads) {
  FailureLimiter limiter(60, 1000000, 50);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) {
        const std::string addr = "a" + std::to_string((i + t) % 80);
        limiter.blocked(addr, kT0, nullptr);
        limiter.record_failure(addr, kT0);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_LE(limiter.tracked(), 50u);
  // With a single shared address every failure counts exactly once.
  FailureLimiter one(1, 4001);
  threads.clear();
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) one.record_failure("x", kT0);
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_FALSE(one.blocked("x", kT0, nullptr));  // one token left
  one.record_failure("x", kT0);
  EXPECT_TRUE(one.blocked("x", kT0, nullptr));
}

// A blocked address still gets a few lookups a minute: the way a valid token that is not in the
// cache gets in beside a guesser on the same NAT.
TEST(FailureLimiter, BlockedAddressesKeepASmallLookupBudget) {
  FailureLimiter limiter(60, 1, 100, 6);
  limiter.record_failure("10.0.0.1", kT0);
  ASSERT_TRUE(limiter.blocked("10.0.0.1", kT0, nullptr));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.take_lookup("10.0.0.1", kT0)) << i;
  EXPECT_FALSE(limiter.take_lookup("10.0.0.1", kT0)) << "the burst is 3";
  EXPECT_TRUE(limiter.take_lookup("10.0.0.1", kT0 + seconds(10))) << "6 a minute: one per 10 s";
  EXPECT_FALSE(limiter.take_lookup("10.0.0.1", kT0 + seconds(10)));
  EXPECT_TRUE(limiter.take_lookup("10.0.0.2", kT0)) << "an address never seen is not limited";
}

TEST(FailureLimiter, ZeroLookupsPerMinuteGivesNoBudget) {
  FailureLimiter limiter(60, 1, 100, 0);
  limiter.record_failure("10.0.0.1", kT0);
  EXPECT_FALSE(limiter.take_lookup("10.0.0.1", kT0 + seconds(600)));
}

}  // namespace
}  // namespace fathom::auth
