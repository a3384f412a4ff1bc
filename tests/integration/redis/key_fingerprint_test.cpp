// Instances on one Redis must share token-hash.key: the store records the key's fingerprint, and
// a daemon holding another key refuses to start, naming the key file to copy, instead of serving
// a store where no secret would ever match.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "integration/tokens/token_checks.h"
#include "support/binaries.h"
#include "support/child_process.h"
#include "support/ports.h"
#include "support/redis_fleet.h"
#include "support/redis_server.h"
#include "support/temp_dir.h"

namespace fathom::test {
namespace {

using std::chrono::seconds;

std::string hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

TEST(RedisKeyFingerprint, DaemonWithAnotherKeyRefusesToStartNamingTheKeyFile) {
  RedisServer redis;
  RedisFleet fleet(redis, 1);
  ApiReply minted = fleet.admin(0).mint("before", {"lake:read"});
  ASSERT_EQ(minted.status, 201) << minted.describe();

  // A second instance whose state_dir has no key: it makes its own, which is not the store's.
  TempDir other;
  nlohmann::json config = redis_token_config(fleet.lake().port(), redis);
  config["listen"] = {"127.0.0.1:" + std::to_string(free_port())};
  config["state_dir"] = other.file("state");
  const std::string config_path = write_config(other, config);
  RunResult run =
      run_to_exit({daemon_binary(), "serve", "--config", config_path}, other.path(), seconds(20));
  ASSERT_FALSE(run.timed_out) << "a daemon with another key kept running:\n" << run.err;
  EXPECT_FALSE(run.status.success()) << run.status.describe() << "\n" << run.err;
  const std::string key_file = other.file("state") + "/token-hash.key";
  EXPECT_NE(run.err.find(key_file), std::string::npos)
      << "the refusal does not name " << key_file << ":\n"
      << run.err;
  EXPECT_NE(run.err.find("token-hash"), std::string::npos) << run.err;
  // The message names the file, never the key in it.
  std::string key = read_file(key_file);
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  if (!key.empty()) {
    EXPECT_EQ(run.err.find(key), std::string::npos) << "the key was printed";
    EXPECT_EQ(run.err.find(hex(key)), std::string::npos) << "the key was printed in hex";
  }
  EXPECT_FALSE(std::filesystem::exists(other.file("state") + "/bootstrap-token"));

  // The refused instance changed nothing: the first one still serves the same store.
  EXPECT_EQ(fetch(fleet.port(0), "GET", "/readyz").status, 200);
  EXPECT_EQ(tokens::get_stats(fleet.port(0), minted.body["token"].get<std::string>()).status, 200);
  // And with the right key, the same second instance starts and accepts the token.
  TempDir copied;
  config["state_dir"] = shared_key_state_dir(copied, key_file_of(fleet.daemon(0)));
  config.erase("listen");
  DaemonProcess second(config);
  EXPECT_EQ(tokens::get_stats(second.port(), minted.body["token"].get<std::string>()).status, 200);
}

}  // namespace
}  // namespace fathom::test
