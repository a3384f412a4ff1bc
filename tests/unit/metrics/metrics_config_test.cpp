// Tests the "metrics" key of proxy/config/config.cpp: its default, turning it off, and the
// refusals, each naming metrics.listen.

#include <gtest/gtest.h>

#include <string>

#include "config/config.h"

namespace fathom {
namespace {

Config parse(std::string_view text) {
  return parse_config(text, "t.json", "/srv/fathom/conf", "/nonexistent/fathom-exe-dir");
}

std::string error_of(std::string_view text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << text;
  return "";
}

TEST(ConfigMetrics, DefaultsToLoopback9201) {
  Config c = parse("{}");
  ASSERT_TRUE(c.metrics.listen.has_value());
  EXPECT_EQ(c.metrics.listen->host, "127.0.0.1");
  EXPECT_EQ(c.metrics.listen->port, 9201);
  EXPECT_TRUE(parse(R"({"metrics": {}})").metrics.listen.has_value());
}

TEST(ConfigMetrics, TakesAnAddress) {
  Config c = parse(R"({"metrics": {"listen": "[::1]:9300"}})");
  ASSERT_TRUE(c.metrics.listen.has_value());
  EXPECT_EQ(c.metrics.listen->host, "::1");
  EXPECT_EQ(c.metrics.listen->port, 9300);
}

TEST(ConfigMetrics, EmptyOrNullTurnsItOff) {
  EXPECT_FALSE(parse(R"({"metrics": {"listen": ""}})").metrics.listen.has_value());
  EXPECT_FALSE(parse(R"({"metrics": {"listen": null}})").metrics.listen.has_value());
}

TEST(ConfigMetrics, RefusalsNameTheKey) {
  EXPECT_EQ(error_of(R"({"metrics": {"listen": 9201}})"),
            "t.json: metrics.listen: must be a \"host:port\" string such as \"127.0.0.1:9201\", "
            "or \"\" to turn metrics off");
  EXPECT_EQ(error_of(R"({"metrics": {"listen": "127.0.0.1"}})"),
            "t.json: metrics.listen: \"127.0.0.1\": must be \"host:port\", e.g. "
            "\"127.0.0.1:8201\"");
  EXPECT_EQ(error_of(R"({"metrics": {"listen": "127.0.0.1:0"}})"),
            "t.json: metrics.listen: \"127.0.0.1:0\": the port must be from 1 to 65535");
  EXPECT_EQ(error_of(R"({"metrics": {"listen": "metrics.internal:9201"}})"),
            "t.json: metrics.listen: \"metrics.internal:9201\": the host must be a numeric IPv4 "
            "address, a bracketed IPv6 address or localhost");
  EXPECT_EQ(error_of(R"({"metrics": "127.0.0.1:9201"})"),
            "t.json: metrics: must be an object { … }");
  EXPECT_EQ(error_of(R"({"metrics": {"port": 9201}})"), "t.json: metrics.port: unknown key");
}

TEST(ConfigMetrics, MayNotShareTheMainListenersAddress) {
  // The default too: a main listener moved to 9201 must not meet the metrics there.
  EXPECT_EQ(error_of(R"({"listen": ["127.0.0.1:8201", "127.0.0.1:9201"]})"),
            "t.json: metrics.listen: \"127.0.0.1:9201\" is also in \"listen\"; metrics need an "
            "address of their own (or \"\" to turn them off)");
  EXPECT_EQ(error_of(R"({"listen": "[::1]:80", "metrics": {"listen": "[::1]:80"}})"),
            "t.json: metrics.listen: \"[::1]:80\" is also in \"listen\"; metrics need an "
            "address of their own (or \"\" to turn them off)");
  EXPECT_FALSE(parse(R"({"listen": "127.0.0.1:9201", "metrics": {"listen": ""}})")
                   .metrics.listen.has_value());
}

}  // namespace
}  // namespace fathom
