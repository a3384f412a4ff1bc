// The crash safety of "Tokens" on Redis: with appendonly yes and appendfsync always, redis-server
// is killed with SIGKILL right after each acknowledgement (201 for a mint, 200 for a revoke) and
// started again on the same data folder. The proxy reconnects by itself, and every acknowledged
// write is there: checked through the proxy after each recovery, and at the end through a second
// proxy started afterwards, whose cache can only have learnt from Redis.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "integration/tokens/token_checks.h"
#include "support/redis_fleet.h"
#include "support/redis_server.h"
#include "support/temp_dir.h"

namespace fathom::test {
namespace {

using std::chrono::seconds;

struct Written {
  std::string id;
  std::string secret;
  bool revoked = false;  // the revoke was acknowledged
};

int kill_count() {
  const char* env = std::getenv("FATHOM_LONG_TESTS");
  return env != nullptr && std::string(env) == "1" ? 200 : 30;
}

// Through the proxy on `port`: the token is listed with the status its acknowledged writes gave
// it, and its secret authenticates accordingly.
void expect_as_written(uint16_t port, const std::string& admin_token, const Written& w) {
  SCOPED_TRACE(w.id);
  ApiReply shown = TokenApi(port, admin_token).show(w.id);
  ASSERT_EQ(shown.status, 200) << "an acknowledged mint was lost: " << shown.describe();
  EXPECT_EQ(shown.body.value("status", ""), w.revoked ? "revoked" : "active")
      << (w.revoked ? "an acknowledged revoke was lost" : "a token nobody revoked is not active");
  Response r = tokens::get_stats(port, w.secret);
  if (w.revoked) {
    tokens::expect_invalid_token(r, true);
  } else {
    EXPECT_EQ(r.status, 200) << r.status_line() << "\n" << r.body;
  }
}

TEST(RedisCrash, AcknowledgedMintsAndRevokesSurviveKill9WithAppendfsyncAlways) {
  RedisServerOptions options;
  options.appendonly = true;
  options.appendfsync = "always";
  RedisServer redis(options);
  RedisFleet fleet(redis, 1);
  const uint16_t port = fleet.port(0);
  TokenApi admin = fleet.admin(0);
  // With these settings the daemon has nothing to warn about.
  EXPECT_EQ(fleet.daemon(0).stderr_text().find("redis_store_durability"), std::string::npos)
      << fleet.daemon(0).stderr_text();

  const int kills = kill_count();
  std::vector<Written> written;
  size_t next_to_revoke = 0;
  for (int round = 0; round < kills; ++round) {
    SCOPED_TRACE("kill " + std::to_string(round));
    // Mints and revokes alternate; each revoke takes a token that was minted, has survived a
    // kill and is warm in the proxy's cache.
    const bool revoke = round % 2 == 1 && next_to_revoke < written.size();
    if (revoke) {
      Written& w = written[next_to_revoke++];
      ASSERT_EQ(tokens::get_stats(port, w.secret).status, 200);
      ApiReply r = admin.revoke(w.id);
      ASSERT_EQ(r.status, 200) << r.describe();
      redis.stop();
      w.revoked = true;
    } else {
      ApiReply r = admin.mint("crash-" + std::to_string(round), {"lake:read"});
      ASSERT_EQ(r.status, 201) << r.describe();
      redis.stop();
      written.push_back({r.body["token_id"], r.body["token"]});
    }
    redis.restart_keep_data();  // stopped already: starts on the same data folder
    ASSERT_TRUE(wait_ready_status(port, 200, seconds(15)))
        << "the proxy did not recover after Redis restarted on its data";
    expect_as_written(port, admin.token(), revoke ? written[next_to_revoke - 1] : written.back());
    if (::testing::Test::HasFatalFailure()) return;
  }

  // Every write again, through the proxy that saw them and through a new one.
  for (const Written& w : written) expect_as_written(port, admin.token(), w);
  TempDir other;
  nlohmann::json config = redis_token_config(fleet.lake().port(), redis);
  config["state_dir"] = shared_key_state_dir(other, key_file_of(fleet.daemon(0)));
  DaemonProcess fresh(config);
  ASSERT_TRUE(wait_ready_status(fresh.port(), 200, seconds(10)));
  for (const Written& w : written) expect_as_written(fresh.port(), admin.token(), w);
  RecordProperty("kills", kills);
  RecordProperty("tokens", static_cast<int>(written.size()));
}

}  // namespace
}  // namespace fathom::test
