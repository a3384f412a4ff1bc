#include "auth/validation_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace fathom::auth {
namespace {

using std::chrono::seconds;

const SteadyTime kT0 = SteadyTime{} + std::chrono::hours(1);

std::shared_ptr<const CachedToken> token(const std::string& id) {
  return std::make_shared<const CachedToken>(
      CachedToken{id, "name of " + id, {"lake:read", "audit:read"}, std::nullopt});
}

TEST(ValidationCache, MissesThenHits) {
  ValidationCache cache;
  EXPECT_FALSE(cache.find("h1", kT0));
  EXPECT_TRUE(cache.insert("h1", cache.positive(token("tok_1"), kT0), cache.generation()));
  const auto hit = cache.find("h1", kT0 + seconds(1));
  ASSERT_TRUE(hit);
  ASSERT_FALSE(hit->negative());
  EXPECT_EQ(hit->token->token_id, "tok_1");
  EXPECT_EQ(hit->token->scopes.size(), 2u);
  EXPECT_FALSE(cache.find("h2", kT0));
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ValidationCache, PositiveEntriesExpireAfterTheirTtl) {
  ValidationCache cache(100, seconds(30), seconds(5));
  cache.insert("h", cache.positive(token("tok_1"), kT0), cache.generation());
  EXPECT_TRUE(cache.find("h", kT0 + seconds(29)));
  EXPECT_FALSE(cache.find("h", kT0 + seconds(30)));
  EXPECT_EQ(cache.size(), 0u);  // an expired entry is erased when found
  EXPECT_FALSE(cache.find("h", kT0 + seconds(1)));
}

TEST(ValidationCache, NegativeEntriesAreKnownUnknownsWithAShorterTtl) {
  ValidationCache cache(100, seconds(30), seconds(5));
  cache.insert("dead", cache.negative(kT0), cache.generation());
  const auto hit = cache.find("dead", kT0 + seconds(4));
  ASSERT_TRUE(hit);
  EXPECT_TRUE(hit->negative());
  EXPECT_EQ(hit->token, nullptr);
  EXPECT_FALSE(cache.find("dead", kT0 + seconds(5)));
}

TEST(ValidationCache, InsertReplacesTheEntryForTheSameHash) {
  ValidationCache cache;
  cache.insert("h", cache.negative(kT0), cache.generation());
  cache.insert("h", cache.positive(token("tok_2"), kT0), cache.generation());
  const auto hit = cache.find("h", kT0);
  ASSERT_TRUE(hit);
  ASSERT_FALSE(hit->negative());
  EXPECT_EQ(hit->token->token_id, "tok_2");
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ValidationCache, InvalidateForgetsOneHash) {
  ValidationCache cache;
  cache.insert("a", cache.positive(token("tok_a"), kT0), cache.generation());
  cache.insert("b", cache.positive(token("tok_b"), kT0), cache.generation());
  const uint64_t before = cache.generation();
  cache.invalidate("a");
  EXPECT_GT(cache.generation(), before);
  EXPECT_FALSE(cache.find("a", kT0));
  EXPECT_TRUE(cache.find("b", kT0));
  cache.invalidate("not cached");  // harmless, still bumps
  EXPECT_GT(cache.generation(), before + 1);
}

TEST(ValidationCache, HitsOutliveEvictionOfTheirEntry) {
  ValidationCache cache;
  cache.insert("h", cache.positive(token("tok_1"), kT0), cache.generation());
  const auto hit = cache.find("h", kT0);
  cache.invalidate("h");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->token->token_id, "tok_1");  // still usable by the request that holds it
}

TEST(ValidationCache, ClearForgetsEverything) {
  ValidationCache cache;
  for (int i = 0; i < 50; ++i) {
    cache.insert("h" + std::to_string(i), cache.negative(kT0), cache.generation());
  }
  const uint64_t before = cache.generation();
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_GT(cache.generation(), before);
}

// The rule: a lookup that started before a revocation must not put the token back afterwards.
TEST(ValidationCache, DropsAnInsertFromALookupThatStartedBeforeAnInvalidation) {
  ValidationCache cache;
  const uint64_t at_start = cache.generation();  // lookup starts, asks the store
  cache.invalidate("h");                         // meanwhile: revoked and invalidated
  EXPECT_FALSE(cache.insert("h", cache.positive(token("tok_1"), kT0), at_start));
  EXPECT_FALSE(cache.find("h", kT0));
  // Also when the invalidation was for another hash, and after clear().
  const uint64_t second = cache.generation();
  cache.invalidate("other");
  EXPECT_FALSE(cache.insert("h", cache.positive(token("tok_1"), kT0), second));
  const uint64_t third = cache.generation();
  cache.clear();
  EXPECT_FALSE(cache.insert("h", cache.negative(kT0), third));
  // A lookup started after the invalidation may insert.
  EXPECT_TRUE(cache.insert("h", cache.negative(kT0), cache.generation()));
  EXPECT_TRUE(cache.find("h", kT0));
}

TEST(ValidationCache, StaysWithinItsBound) {
  for (const size_t bound : {1, 7, 16, 100, 1000}) {
    ValidationCache cache(bound);
    EXPECT_EQ(cache.max_entries(), bound);
    for (size_t i = 0; i < 5 * bound + 100; ++i) {
      const std::string key = "hash-" + std::to_string(i);
      ASSERT_TRUE(cache.insert(key, cache.positive(token("tok"), kT0 + seconds(i % 17)),
                               cache.generation()));
      EXPECT_TRUE(cache.find(key, kT0)) << "the newest entry is never the one evicted";
      ASSERT_LE(cache.size(), bound);
    }
    // Full shards stay full: eviction removes one entry per insert, not more.
    EXPECT_EQ(cache.size(), bound);
  }
}

TEST(ValidationCache, OneEntryBoundKeepsTheNewest) {
  ValidationCache cache(1);
  cache.insert("a", cache.negative(kT0), cache.generation());
  cache.insert("b", cache.negative(kT0), cache.generation());
  EXPECT_FALSE(cache.find("a", kT0));
  EXPECT_TRUE(cache.find("b", kT0));
}

TEST(ValidationCache, ZeroBoundDisablesCaching) {
  ValidationCache cache(0);
  EXPECT_FALSE(cache.insert("a", cache.negative(kT0), cache.generation()));
  EXPECT_FALSE(cache.find("a", kT0));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ValidationCache, ManyThreadsFindInsertAndInvalidate) {
  ValidationCache cache(256);
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20000; ++i) {
        const std::string key = "h" + std::to_string((i * 31 + t) % 1000);
        const SteadyTime now = kT0 + std::chrono::milliseconds(i);
        const uint64_t gen = cache.generation();
        const auto hit = cache.find(key, now);
        if (hit && !hit->negative()) {
          ASSERT_EQ(hit->token->name, "name of tok_" + key);
        }
        if (!hit) cache.insert(key, cache.positive(token("tok_" + key), now), gen);
        if (i % 97 == 0) cache.invalidate(key);
      }
    });
  }
  threads.emplace_back([&] {
    while (!stop.load()) {
      ASSERT_LE(cache.size(), 256u);
      std::this_thread::yield();
    }
  });
  for (int t = 0; t < 6; ++t) threads[t].join();
  stop = true;
  threads.back().join();
  EXPECT_LE(cache.size(), 256u);
}

// The rule under contention: readers look up "h" against a store that a writer revokes, then
// invalidate. Whatever the interleaving, a positive entry must not survive the invalidation.
TEST(ValidationCache, ConcurrentRevocationIsNeverUndone) {
  for (int round = 0; round < 50; ++round) {
    ValidationCache cache;
    std::atomic<bool> revoked_in_store{false};
    std::atomic<bool> invalidated{false};
    std::vector<std::thread> readers;
    for (int r = 0; r < 3; ++r) {
      readers.emplace_back([&] {
        while (!invalidated.load()) {
          const uint64_t gen = cache.generation();  // before asking the store
          const bool revoked = revoked_in_store.load();
          cache.insert("h", revoked ? cache.negative(kT0) : cache.positive(token("tok_1"), kT0),
                       gen);
        }
      });
    }
    std::this_thread::yield();
    revoked_in_store = true;  // the revocation is durable
    cache.invalidate("h");    // then the cache is told
    invalidated = true;
    for (std::thread& th : readers) th.join();
    const auto hit = cache.find("h", kT0);
    ASSERT_TRUE(!hit || hit->negative()) << "round " << round;
  }
}

}  // namespace
}  // namespace fathom::auth
