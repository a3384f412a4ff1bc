// What the daemon refuses at start: a bad config (the message names the key) and a plugin built
// for another ABI (the message names both versions). And a third-party plugin that does load.

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

#include "support/binaries.h"
#include "support/child_process.h"
#include "support/daemon_process.h"
#include "support/http_client.h"
#include "support/lake_process.h"
#include "support/ports.h"
#include "support/proxy_under_test.h"

namespace fathom::test {
namespace {

using std::chrono::seconds;

// A complete, valid config that a case then breaks.
nlohmann::json startable_config(const TempDir& dir) {
  nlohmann::json config = DaemonProcess::public_config(free_port());
  config["listen"] = {"127.0.0.1:" + std::to_string(free_port())};
  std::filesystem::create_directories(dir.file("state"));
  config["state_dir"] = dir.file("state");
  return config;
}

// The ABI version the daemon and test-echo-policy are built with, read from the plugin header
// (test-wrong-abi claims this plus one). Read rather than included: the test needs one number,
// not the plugin interface.
unsigned plugin_abi_version() {
  std::string header = read_file(FATHOM_SOURCE_DIR "/proxy/include/fathom/plugin.h");
  const std::string define = "#define FATHOM_PLUGIN_ABI_VERSION";
  size_t at = header.find(define);
  if (at == std::string::npos) return 0;
  at = header.find_first_not_of(" \t", at + define.size());
  if (at == std::string::npos || !std::isdigit(static_cast<unsigned char>(header[at]))) return 0;
  return static_cast<unsigned>(std::stoul(header.substr(at)));
}

RunResult run_serve(const TempDir& dir, const nlohmann::json& config) {
  std::string path = write_config(dir, config);
  return run_to_exit({daemon_binary(), "serve", "--config", path}, dir.path(), seconds(30));
}

void expect_refused_naming(const RunResult& run, const std::vector<std::string>& needles) {
  EXPECT_FALSE(run.timed_out) << "the daemon started instead of refusing the config";
  EXPECT_TRUE(run.status.exited) << run.status.describe();
  EXPECT_EQ(run.status.code, 2) << run.status.describe();
  for (const std::string& needle : needles) {
    EXPECT_NE(run.err.find(needle), std::string::npos)
        << "stderr does not name \"" << needle << "\":\n"
        << run.err;
  }
}

struct BadConfig {
  std::string name;
  std::function<void(nlohmann::json&)> breaks;
  std::string key;  // what the message must name
};

// gtest names each case with this (and ctest shows it) instead of the struct's raw bytes.
void PrintTo(const BadConfig& c, std::ostream* os) {
  *os << c.name;
}

class BadConfigTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(BadConfigTest, IsRefusedAtStartNamingTheKey) {
  TempDir dir;
  nlohmann::json config = startable_config(dir);
  GetParam().breaks(config);
  expect_refused_naming(run_serve(dir, config), {GetParam().key});
}

nlohmann::json scope_rules_with(nlohmann::json rule) {
  return nlohmann::json::array(
      {{{"name", "scope-rules"}, {"config", {{"rules", nlohmann::json::array({rule})}}}}});
}

INSTANTIATE_TEST_SUITE_P(
    Startup, BadConfigTest,
    ::testing::Values(
        BadConfig{"max_body_bytes_negative",
                  [](nlohmann::json& c) {
                    c["limits"] = {{"max_body_bytes", -5}};
                  },
                  "limits.max_body_bytes"},
        BadConfig{"max_body_bytes_string",
                  [](nlohmann::json& c) {
                    c["limits"] = {{"max_body_bytes", "lots"}};
                  },
                  "limits.max_body_bytes"},
        BadConfig{"unknown_limits_key",
                  [](nlohmann::json& c) {
                    c["limits"] = {{"max_bodies", 5}};
                  },
                  "limits.max_bodies"},
        BadConfig{"unknown_top_level_key", [](nlohmann::json& c) { c["listn"] = 1; }, "listn"},
        BadConfig{"timeout_not_a_number",
                  [](nlohmann::json& c) {
                    c["timeouts"] = {{"idle", "soon"}};
                  },
                  "timeouts.idle"},
        BadConfig{"timeout_negative",
                  [](nlohmann::json& c) {
                    c["timeouts"] = {{"upstream_response", -1}};
                  },
                  "timeouts.upstream_response"},
        BadConfig{"upstream_url_scheme",
                  [](nlohmann::json& c) { c["upstream"]["url"] = "ftp://127.0.0.1:1"; },
                  "upstream.url"},
        BadConfig{"workers_negative", [](nlohmann::json& c) { c["workers"] = -1; }, "workers"},
        BadConfig{"log_level_unknown",
                  [](nlohmann::json& c) {
                    c["log"] = {{"level", "loud"}};
                  },
                  "log.level"},
        BadConfig{"listen_not_an_address", [](nlohmann::json& c) { c["listen"] = {"nowhere"}; },
                  "listen"},
        BadConfig{"unknown_plugin",
                  [](nlohmann::json& c) {
                    c["plugins"] = nlohmann::json::array({{{"name", "no-such-plugin"}}});
                  },
                  "no-such-plugin"},
        BadConfig{"scope_rules_unknown_rule_key",
                  [](nlohmann::json& c) {
                    c["plugins"] = scope_rules_with({{"prefix", "/"}, {"publik", true}});
                  },
                  "publik"}),
    [](const ::testing::TestParamInfo<BadConfig>& param_info) { return param_info.param.name; });

TEST(Startup, ConfigThatIsNotJsonIsRefused) {
  TempDir dir;
  std::string path = dir.file("config.json");
  write_file(path, "{ \"workers\": 1, // a comment is fine, a missing brace is not\n");
  RunResult run =
      run_to_exit({daemon_binary(), "serve", "--config", path}, dir.path(), seconds(30));
  EXPECT_FALSE(run.timed_out);
  EXPECT_TRUE(run.status.exited && run.status.code != 0) << run.status.describe();
  EXPECT_NE(run.err.find("config.json"), std::string::npos) << "stderr names no file:\n" << run.err;
}

TEST(Startup, PluginBuiltForAnotherAbiIsRefusedNamingBothVersions) {
  ASSERT_TRUE(std::filesystem::exists(test_plugin("test-wrong-abi")))
      << test_plugin("test-wrong-abi")
      << " is not built (cmake --build ... --target test-wrong-abi)";
  unsigned abi = plugin_abi_version();
  ASSERT_GT(abi, 0u) << "FATHOM_PLUGIN_ABI_VERSION not found in proxy/include/fathom/plugin.h";
  TempDir dir;
  nlohmann::json config = startable_config(dir);
  config["plugins"] = nlohmann::json::array(
      {{{"name", "test-wrong-abi"}, {"path", test_plugin("test-wrong-abi")}}});
  RunResult run = run_serve(dir, config);
  expect_refused_naming(run, {"test-wrong-abi", std::to_string(abi), std::to_string(abi + 1)});
}

TEST(Startup, ThirdPartyPluginLoadsFromItsPath) {
  // test-echo-policy makes /open/* public and abstains elsewhere; nothing else answers, so every
  // other route is refused.
  ProxyUnderTest p([](nlohmann::json& config) {
    config["plugins"] = nlohmann::json::array({{{"name", "test-echo-policy"},
                                                {"path", test_plugin("test-echo-policy")},
                                                {"config", {{"public_prefix", "/open/"}}}}});
  });
  Response open = fetch(p.port(), "GET", "/open/doc");
  EXPECT_EQ(open.status, 200) << open.body;
  EXPECT_EQ(open.json().value("path", ""), "/open/doc") << open.body;
  Response closed = fetch(p.port(), "GET", "/closed/doc");
  EXPECT_TRUE(closed.status == 401 || closed.status == 403) << closed.status_line();
  std::vector<nlohmann::json> heads = p.lake.recorded_heads();
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(heads[0]["path"], "/open/doc");
}

}  // namespace
}  // namespace fathom::test
