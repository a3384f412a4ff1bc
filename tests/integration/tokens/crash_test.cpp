// Crash safety of the token store: the daemon is killed with SIGKILL at a random moment while a
// client mints and revokes, then started again on the same state_dir. Whatever was acknowledged
// (201 for a mint, 200 for a revoke) must have survived; what was in flight may go either way.
// 20 kills by default; FATHOM_LONG_TESTS=1 makes it 200.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "integration/tokens/token_checks.h"
#include "support/temp_dir.h"
#include "support/token_api.h"

namespace fathom::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct Tracked {
  std::string id;
  std::string secret;
  int round = 0;             // the round it was last written in (minted or revoke sent)
  bool revoke_sent = false;  // a DELETE went out; its outcome is unknown unless acked
  bool revoke_acked = false;
};

struct ClientLog {
  size_t mints_acked = 0;
  size_t revokes_acked = 0;
  std::vector<std::string> unexpected;  // answers that are neither success nor a crash
};

int kill_count() {
  const char* env = std::getenv("FATHOM_LONG_TESTS");
  return env != nullptr && std::string(env) == "1" ? 200 : 20;
}

// Mints and revokes until the daemon dies under it (any I/O error ends the run). A revoke is
// marked sent before it goes out, so that an unanswered one is known to be in doubt.
void write_until_killed(const TokenApi& admin, int round, std::mt19937& rng,
                        std::vector<Tracked>& tracked, ClientLog& log) {
  try {
    for (int n = 0;; ++n) {
      std::vector<size_t> revocable;
      for (size_t i = 0; i < tracked.size(); ++i) {
        if (!tracked[i].revoke_sent) revocable.push_back(i);
      }
      if (!revocable.empty() && rng() % 3 == 0) {
        Tracked& t = tracked[revocable[rng() % revocable.size()]];
        t.revoke_sent = true;
        t.round = round;
        ApiReply r = admin.revoke(t.id);
        if (r.status != 200) {
          log.unexpected.push_back("DELETE " + t.id + ": " + r.describe());
          return;
        }
        t.revoke_acked = true;
        ++log.revokes_acked;
      } else {
        ApiReply r =
            admin.mint("crash-" + std::to_string(round) + "-" + std::to_string(n), {"lake:read"});
        if (r.status != 201) {
          log.unexpected.push_back("POST /v1/tokens: " + r.describe());
          return;
        }
        tracked.push_back({r.body["token_id"], r.body["token"], round});
        ++log.mints_acked;
      }
    }
  } catch (const std::exception&) {
    // The daemon was killed: this request has no answer, which is what in doubt means.
  }
}

// One request on a keep-alive connection, reopened when the daemon closes it.
int stats_status(uint16_t port, std::optional<HttpConnection>& conn, const std::string& token) {
  if (!conn) conn = HttpConnection::open(port);
  conn->send_all(request("GET", "/v1/stats", bearer(token)));
  Response r = conn->read_response("GET");
  if (!r.keep_alive) conn.reset();
  return r.status;
}

// After a restart: every acknowledged write is there, in-doubt revokes are settled to what the
// store says, and the secrets of the tokens written in `check_round` (all of them when it is
// negative) authenticate accordingly.
void verify(uint16_t port, const TokenApi& admin, std::vector<Tracked>& tracked, int check_round) {
  ApiReply all = admin.list("all");
  ASSERT_EQ(all.status, 200) << all.describe();
  std::map<std::string, std::string> status_of;
  for (const nlohmann::json& t : all.body["tokens"]) status_of[t["token_id"]] = t["status"];

  std::optional<HttpConnection> conn;
  for (Tracked& t : tracked) {
    SCOPED_TRACE(t.id + " (written in round " + std::to_string(t.round) + ")");
    auto found = status_of.find(t.id);
    ASSERT_NE(found, status_of.end()) << "an acknowledged mint was lost";
    if (t.revoke_acked) {
      EXPECT_EQ(found->second, "revoked") << "an acknowledged revoke was lost";
    } else if (!t.revoke_sent) {
      EXPECT_EQ(found->second, "active") << "a token nobody revoked is not active";
    } else {
      // In doubt: either outcome is right; from now on it is what the store says.
      EXPECT_TRUE(found->second == "revoked" || found->second == "active") << found->second;
      t.revoke_acked = found->second == "revoked";
      t.revoke_sent = t.revoke_acked;
    }
    if (check_round >= 0 && t.round != check_round) continue;
    EXPECT_EQ(stats_status(port, conn, t.secret), t.revoke_acked ? 401 : 200);
  }
}

TEST(TokensCrash, AcknowledgedMintsAndRevokesSurviveSigkill) {
  const int kills = kill_count();
  const unsigned seed = std::random_device{}();
  RecordProperty("seed", static_cast<int>(seed));
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);         // the client's choices; only its thread draws from it
  std::mt19937 timing(seed + 1);  // the kill delays, drawn by this thread
  std::uniform_int_distribution<int> delay_ms(20, 300);

  TempDir state;
  LakeProcess lake;
  nlohmann::json config = token_config(lake.port());
  config["state_dir"] = state.path();

  std::vector<Tracked> tracked;
  ClientLog log;
  std::string admin_token;
  for (int round = 0; round <= kills; ++round) {
    SCOPED_TRACE("start " + std::to_string(round));
    DaemonProcess daemon(config);
    if (admin_token.empty()) admin_token = read_bootstrap_token(state.path());
    TokenApi admin(daemon.port(), admin_token);
    // The last start checks every token ever minted; the others those of the round just killed.
    verify(daemon.port(), admin, tracked, round == kills ? -1 : round - 1);
    if (::testing::Test::HasFatalFailure() || round == kills) break;

    std::thread client(write_until_killed, std::cref(admin), round, std::ref(rng),
                       std::ref(tracked), std::ref(log));
    std::this_thread::sleep_for(milliseconds(delay_ms(timing)));
    daemon.send_signal(SIGKILL);
    ASSERT_TRUE(daemon.wait_for_exit(seconds(10)).has_value()) << "SIGKILL did not end it";
    client.join();
    ASSERT_TRUE(log.unexpected.empty()) << log.unexpected.front();
  }
  RecordProperty("mints_acked", static_cast<int>(log.mints_acked));
  RecordProperty("revokes_acked", static_cast<int>(log.revokes_acked));
  EXPECT_GT(log.mints_acked, 0u) << "nothing was acknowledged: the test proves nothing";
}

}  // namespace
}  // namespace fathom::test
