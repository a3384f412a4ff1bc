// What only the Redis store does: the key fingerprint and marker in <prefix>meta, outages
// (stopped, paused, restarted empty), the subscription's resync, the durability check.
#include "store_redis/redis_store.h"

#include <atomic>
#include <thread>

#include "store_harness.h"
#include "support/redis_server.h"

namespace fathom::store_redis {
namespace {

using namespace fathom::store_conformance;

RedisStoreOptions options_for(const test::RedisServer& server, std::string fingerprint = "fp-1") {
  RedisStoreOptions o;
  o.url = server.url();
  o.key_fingerprint = std::move(fingerprint);
  o.state_dir = "/var/lib/fathom-auth";
  o.connect_timeout = std::chrono::milliseconds(500);
  o.command_timeout = std::chrono::milliseconds(300);
  o.heartbeat_interval = std::chrono::milliseconds(100);
  o.reconnect_max = std::chrono::milliseconds(400);
  return o;
}

// Waits (within the harness's bound) for a condition that another thread makes true.
template <typename Fn>
bool eventually(Fn condition) {
  auto bound = std::chrono::steady_clock::now() + kAnswerBound;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > bound) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

TEST(RedisStore, FreshOnlyForTheInstanceThatFoundRedisEmpty) {
  test::RedisServer server;
  RedisStore first(options_for(server));
  ASSERT_TRUE(first.wait_ready(kAnswerBound)) << first.problem();
  EXPECT_TRUE(first.fresh());
  RedisStore second(options_for(server));
  ASSERT_TRUE(second.wait_ready(kAnswerBound));
  EXPECT_FALSE(second.fresh());
  EXPECT_NE(server.command({"HGET", "fathom:meta", "fingerprint"}).find("fp-1"), std::string::npos);
}

TEST(RedisStore, AnotherKeyIsRefusedAtStart) {
  test::RedisServer server;
  RedisStore first(options_for(server, "fp-aaaa"));
  ASSERT_TRUE(first.wait_ready(kAnswerBound));
  try {
    RedisStore other(options_for(server, "fp-bbbb"));
    FAIL() << "an instance with another key started";
  } catch (const RedisStoreError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("fp-aaaa"), std::string::npos) << message;
    EXPECT_NE(message.find("fp-bbbb"), std::string::npos) << message;
    EXPECT_NE(message.find("/var/lib/fathom-auth/token-hash.key"), std::string::npos) << message;
  }
  // Another prefix is another store.
  RedisStoreOptions elsewhere = options_for(server, "fp-bbbb");
  elsewhere.prefix = "other:";
  RedisStore separate(elsewhere);
  EXPECT_TRUE(separate.wait_ready(kAnswerBound));
  EXPECT_TRUE(separate.fresh());
}

TEST(RedisStore, BadOptionsAreRefused) {
  RedisStoreOptions o;
  o.key_fingerprint = "fp";
  o.url = "redis://host:0";
  EXPECT_THROW(RedisStore{o}, RedisStoreError);
  o.url = "redis://127.0.0.1:1/0";
  o.prefix = "";
  EXPECT_THROW(RedisStore{o}, RedisStoreError);
}

TEST(RedisStore, StoppedRedisAnswersUnavailableThenRecovers) {
  test::RedisServerOptions durable;
  durable.appendonly = true;
  durable.appendfsync = "always";
  test::RedisServer server(durable);
  RedisStore store(options_for(server));
  ASSERT_TRUE(store.wait_ready(kAnswerBound));
  ASSERT_EQ(create_sync(store, token("tok_kept")).status, StoreStatus::ok);

  server.stop();
  EXPECT_TRUE(eventually([&] { return !store.ready(); }));
  EXPECT_EQ(get_sync(store, "tok_kept").status, StoreStatus::unavailable);
  StoreResult refused = revoke_sync(store, "tok_kept", 1500);
  EXPECT_EQ(refused.status, StoreStatus::unavailable);
  EXPECT_FALSE(store.subscribed());

  server.restart_keep_data();  // the AOF (fsync always) kept the acknowledged create
  ASSERT_TRUE(store.wait_ready(kAnswerBound)) << store.problem();
  EXPECT_EQ(get_sync(store, "tok_kept").status, StoreStatus::ok);
  EXPECT_TRUE(eventually([&] { return store.subscribed(); }));
  EXPECT_TRUE(store.durability_warning().empty()) << store.durability_warning();
}

TEST(RedisStore, PausedRedisAnswersUnavailableInsteadOfHanging) {
  test::RedisServer server;
  RedisStore store(options_for(server));
  ASSERT_TRUE(store.wait_ready(kAnswerBound));
  ASSERT_EQ(create_sync(store, token("tok_a")).status, StoreStatus::ok);

  server.pause();
  // Answered (not hung) although Redis never replies: the command deadline ends it.
  EXPECT_EQ(get_sync(store, "tok_a").status, StoreStatus::unavailable);
  EXPECT_EQ(create_sync(store, token("tok_b")).status, StoreStatus::unavailable);
  EXPECT_TRUE(eventually([&] { return !store.ready(); }));

  server.resume();
  ASSERT_TRUE(store.wait_ready(kAnswerBound)) << store.problem();
  EXPECT_EQ(get_sync(store, "tok_a").status, StoreStatus::ok);
}

TEST(RedisStore, RedisRestartedEmptyIsRefusedNotTakenAsNoTokens) {
  test::RedisServer server;
  RedisStore store(options_for(server));
  ASSERT_TRUE(store.wait_ready(kAnswerBound));
  ASSERT_EQ(create_sync(store, admin("tok_admin")).status, StoreStatus::ok);

  server.restart_empty();
  EXPECT_TRUE(eventually([&] {
    return store.problem().find("lost its data") != std::string::npos;
  })) << store.problem();
  EXPECT_FALSE(store.ready());
  EXPECT_EQ(find_sync(store, "hash-tok_admin").status, StoreStatus::unavailable);
  StoreStatus status = StoreStatus::ok;
  list_sync(store, &status);
  EXPECT_EQ(status, StoreStatus::unavailable);
  // Nothing was written to the empty Redis on our behalf: no meta, so no instance takes it over.
  EXPECT_EQ(server.command({"EXISTS", "fathom:meta"}), ":0\r\n");
}

TEST(RedisStore, AnEmptyRedisIsRefusedWhenTheStoreIsKnownToExist) {
  test::RedisServer server;
  RedisStoreOptions o = options_for(server);
  o.known_initialized = true;
  RedisStore store(o);
  EXPECT_FALSE(store.ready());
  EXPECT_FALSE(store.fresh());
  EXPECT_NE(store.problem().find("lost its data"), std::string::npos) << store.problem();
  EXPECT_EQ(server.command({"EXISTS", "fathom:meta"}), ":0\r\n");
}

TEST(RedisStore, TokensWithoutTheMarkerAreRefused) {
  test::RedisServer server;
  {
    RedisStore store(options_for(server));
    ASSERT_TRUE(store.wait_ready(kAnswerBound));
    ASSERT_EQ(create_sync(store, token("tok_a")).status, StoreStatus::ok);
  }
  ASSERT_EQ(server.command({"DEL", "fathom:meta"}), ":1\r\n");
  RedisStore restarted(options_for(server));
  EXPECT_FALSE(restarted.ready());
  EXPECT_FALSE(restarted.fresh());
  EXPECT_NE(restarted.problem().find("marker"), std::string::npos) << restarted.problem();
  EXPECT_EQ(get_sync(restarted, "tok_a").status, StoreStatus::unavailable);
}

TEST(RedisStore, MarkerRemovedUnderARunningInstanceIsNoticedByTheNextCall) {
  test::RedisServer server;
  RedisStore store(options_for(server));
  ASSERT_TRUE(store.wait_ready(kAnswerBound));
  ASSERT_EQ(create_sync(store, token("tok_a")).status, StoreStatus::ok);
  ASSERT_EQ(server.command({"DEL", "fathom:meta"}), ":1\r\n");
  EXPECT_EQ(get_sync(store, "tok_a").status, StoreStatus::unavailable);
  EXPECT_TRUE(eventually([&] { return !store.ready(); }));
}

TEST(RedisStore, LostSubscriptionFlushesAndComesBack) {
  test::RedisServer server;
  RedisStore store(options_for(server));
  std::atomic<int> resyncs{0};
  store.on_resync([&] { ++resyncs; });
  ASSERT_TRUE(store.wait_ready(kAnswerBound));
  ASSERT_TRUE(eventually([&] { return store.subscribed(); }));
  const int before = resyncs.load();

  server.command({"CLIENT", "KILL", "TYPE", "pubsub"});
  EXPECT_TRUE(eventually([&] { return resyncs.load() >= before + 2 && store.subscribed(); }));

  // And it hears events again.
  RedisStore writer(options_for(server));
  ASSERT_TRUE(writer.wait_ready(kAnswerBound));
  Heard heard;
  heard.attach(store);
  ASSERT_EQ(create_sync(writer, token("tok_a")).status, StoreStatus::ok);
  ASSERT_EQ(revoke_sync(writer, "tok_a", 1500).status, StoreStatus::ok);
  EXPECT_TRUE(heard.wait_for_token("tok_a"));
}

TEST(RedisStore, WeakDurabilityIsWarned) {
  test::RedisServer weak;  // appendonly no
  RedisStore store(options_for(weak));
  ASSERT_TRUE(store.wait_ready(kAnswerBound));
  ASSERT_TRUE(eventually([&] { return !store.durability_warning().empty(); }));
  EXPECT_NE(store.durability_warning().find("appendonly=no"), std::string::npos)
      << store.durability_warning();

  test::RedisServerOptions no_config;
  no_config.extra_args = {"--rename-command", "CONFIG", ""};
  test::RedisServer managed(no_config);
  RedisStore unknown(options_for(managed));
  ASSERT_TRUE(unknown.wait_ready(kAnswerBound));
  ASSERT_TRUE(eventually([&] { return !unknown.durability_warning().empty(); }));
  EXPECT_NE(unknown.durability_warning().find("could not read"), std::string::npos);
}

TEST(RedisStore, ScriptsAreReloadedAfterScriptFlush) {
  test::RedisServer server;
  RedisStore store(options_for(server));
  ASSERT_TRUE(store.wait_ready(kAnswerBound));
  ASSERT_EQ(create_sync(store, token("tok_a")).status, StoreStatus::ok);
  ASSERT_EQ(server.command({"SCRIPT", "FLUSH"}), "+OK\r\n");
  EXPECT_EQ(get_sync(store, "tok_a").status, StoreStatus::ok);
  EXPECT_EQ(revoke_sync(store, "tok_a", 1500).status, StoreStatus::ok);
}

TEST(RedisStore, QuiesceWaitsForCallbacksInFlight) {
  test::RedisServer server;
  RedisStore store(options_for(server));
  ASSERT_TRUE(store.wait_ready(kAnswerBound));
  std::atomic<int> answered{0};
  for (int i = 0; i < 50; ++i) {
    store.create(token("tok_" + std::to_string(i)), [&](StoreResult) { ++answered; });
  }
  store.quiesce();
  EXPECT_EQ(answered.load(), 50);
}

}  // namespace
}  // namespace fathom::store_redis
