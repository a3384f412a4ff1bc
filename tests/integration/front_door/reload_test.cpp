// SIGHUP reloads config and plugins without dropping connections; a broken config is refused and
// the old one keeps serving.

#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "support/http_client.h"
#include "support/proxy_under_test.h"

namespace fathom::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

nlohmann::json scope_rules(nlohmann::json rules) {
  return nlohmann::json::array({{{"name", "scope-rules"}, {"config", {{"rules", rules}}}}});
}

nlohmann::json private_prefix_rules() {
  return scope_rules(nlohmann::json::array({
      {{"prefix", "/private/"}, {"scopes", {"lake:read"}}},
      {{"prefix", "/"}, {"public", true}},
  }));
}

// A reload is asynchronous: poll a fresh connection until `path` answers `status`.
bool eventually_status(uint16_t port, const std::string& method, const std::string& path,
                       int status, milliseconds timeout = seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (fetch(port, method, path, "", method == "POST" ? "{}" : "").status == status) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return false;
}

int status_on(HttpConnection& conn, const std::string& path) {
  conn.send_all(request("GET", path));
  return conn.read_response("GET").status;
}

TEST(Reload, SighupAppliesTheNewPolicyWithoutDroppingConnections) {
  ProxyUnderTest p;
  HttpConnection kept = HttpConnection::open(p.port());
  ASSERT_EQ(status_on(kept, "/before"), 200);
  ASSERT_EQ(fetch(p.port(), "GET", "/private/x").status, 200) << "public before the reload";

  nlohmann::json next = p.daemon.config();
  next["plugins"] = private_prefix_rules();
  p.daemon.reload(next);

  ASSERT_TRUE(eventually_status(p.port(), "GET", "/private/x", 401))
      << "the new policy never applied to new connections";
  EXPECT_TRUE(p.daemon.running());
  // The connection opened before the reload is still served, under the new policy.
  EXPECT_EQ(status_on(kept, "/after"), 200) << "the kept connection stopped working";
  EXPECT_EQ(status_on(kept, "/private/y"), 401) << "the old policy still applies on it";
}

TEST(Reload, SighupReloadsPlugins) {
  ProxyUnderTest p;
  ASSERT_EQ(fetch(p.port(), "POST", "/items", "", "{}").status, 200);
  nlohmann::json next = p.daemon.config();
  next["plugins"].insert(next["plugins"].begin(), nlohmann::json::object({{"name", "read-only"}}));
  p.daemon.reload(next);
  auto deadline = std::chrono::steady_clock::now() + seconds(10);
  int status = 200;
  while (status == 200 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
    status = fetch(p.port(), "POST", "/items", "", "{}").status;
  }
  EXPECT_TRUE(status == 401 || status == 403) << "a write after loading read-only got " << status;
  EXPECT_EQ(fetch(p.port(), "GET", "/items").status, 200) << "read-only must not deny reads";
}

TEST(Reload, BrokenConfigIsRefusedAndTheOldOneKeepsServing) {
  ProxyUnderTest p;
  HttpConnection kept = HttpConnection::open(p.port());
  ASSERT_EQ(status_on(kept, "/before"), 200);
  const nlohmann::json original = p.daemon.config();

  nlohmann::json broken = original;
  broken["limits"] = {{"max_body_bytez", 5}};
  p.daemon.reload(broken);
  EXPECT_TRUE(p.daemon.wait_for_stderr("limits.max_body_bytez", seconds(10)))
      << "the refusal of the new config does not name the key";
  ASSERT_TRUE(p.daemon.running()) << "a bad config on SIGHUP stopped the daemon";
  EXPECT_EQ(status_on(kept, "/still"), 200);
  EXPECT_EQ(fetch(p.port(), "GET", "/new-connection").status, 200);

  // Not even JSON.
  size_t log_size = p.daemon.stderr_text().size();
  p.daemon.reload_text("{ \"workers\": ");
  auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (p.daemon.stderr_text().size() == log_size && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_GT(p.daemon.stderr_text().size(), log_size) << "the refusal was not logged";
  ASSERT_TRUE(p.daemon.running());
  EXPECT_EQ(status_on(kept, "/still-after-garbage"), 200);

  // Reloading still works after refusals.
  nlohmann::json good = original;
  good["plugins"] = private_prefix_rules();
  p.daemon.reload(good);
  EXPECT_TRUE(eventually_status(p.port(), "GET", "/private/x", 401));
  EXPECT_EQ(status_on(kept, "/public"), 200);
}

}  // namespace
}  // namespace fathom::test
