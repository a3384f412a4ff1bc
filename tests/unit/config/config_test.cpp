// Tests proxy/config/config.cpp: defaults, every key's validation message, comments, relative
// paths, and the configs shipped in conf/.

#include "config/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace fathom {
namespace {

using std::chrono::milliseconds;

constexpr const char* kBase = "/srv/fathom/conf";
constexpr const char* kNoExeDir = "/nonexistent/fathom-exe-dir";

Config parse(std::string_view text, const std::string& exe_dir = kNoExeDir) {
  return parse_config(text, "t.json", kBase, exe_dir);
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

unsigned cores() {
  return std::max(1u, std::thread::hardware_concurrency());
}

// A fresh folder under $TMPDIR, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "fathom-config-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string write(const std::string& name, std::string_view text) const {
    const std::string file = path_ + "/" + name;
    std::ofstream(file) << text;
    return file;
  }

 private:
  std::string path_;
};

// ---------------------------------------------------------------------------------------------
// Defaults

TEST(ConfigDefaults, AnEmptyObjectGivesTheDocumentedDefaults) {
  const Config c = parse("{}");
  EXPECT_EQ(c.source_path, "t.json");
  ASSERT_EQ(c.listen.size(), 1u);
  EXPECT_EQ(c.listen[0].host, "127.0.0.1");
  EXPECT_EQ(c.listen[0].port, 8201);
  EXPECT_EQ(c.workers, cores());
  EXPECT_EQ(c.upstream.url, "http://127.0.0.1:8202");
  EXPECT_EQ(c.upstream.scheme, "http");
  EXPECT_EQ(c.upstream.host, "127.0.0.1");
  EXPECT_EQ(c.upstream.port, 8202);
  EXPECT_EQ(c.upstream.authority, "127.0.0.1:8202");
  EXPECT_FALSE(c.upstream.forward_authorization);
  EXPECT_EQ(c.upstream.max_idle_connections, 64u);
  EXPECT_EQ(c.state_dir, "/var/lib/fathom-auth");
  EXPECT_EQ(c.plugin_dir, "/usr/lib/fathom-auth/plugins");
  EXPECT_TRUE(c.plugins.empty());
  const LimitsConfig limits;
  EXPECT_EQ(c.limits.max_request_line, limits.max_request_line);
  EXPECT_EQ(c.limits.max_header_bytes, limits.max_header_bytes);
  EXPECT_EQ(c.limits.max_headers, limits.max_headers);
  EXPECT_EQ(c.limits.max_body_bytes, limits.max_body_bytes);
  EXPECT_EQ(c.limits.max_handler_body, limits.max_handler_body);
  EXPECT_EQ(c.limits.max_connections, limits.max_connections);
  EXPECT_EQ(c.limits.auth_failures_per_minute, limits.auth_failures_per_minute);
  EXPECT_EQ(c.limits.auth_failure_burst, limits.auth_failure_burst);
  EXPECT_EQ(c.timeouts.header_read, milliseconds(10'000));
  EXPECT_EQ(c.timeouts.idle, milliseconds(60'000));
  EXPECT_EQ(c.timeouts.upstream_connect, milliseconds(5'000));
  EXPECT_EQ(c.timeouts.upstream_response, milliseconds(60'000));
  EXPECT_EQ(c.timeouts.drain, milliseconds(30'000));
  EXPECT_EQ(c.log_level, LogLevelSetting::info);
}

TEST(ConfigDefaults, EmptySectionsKeepTheirDefaults) {
  const Config c =
      parse(R"({"upstream": {}, "limits": {}, "timeouts": {}, "log": {}, "plugins": []})");
  EXPECT_EQ(c.upstream.authority, "127.0.0.1:8202");
  EXPECT_EQ(c.limits.max_headers, 100u);
  EXPECT_EQ(c.timeouts.idle, milliseconds(60'000));
  EXPECT_EQ(c.log_level, LogLevelSetting::info);
}

TEST(ConfigDefaults, PluginDirIsBesideTheExecutableWhenThatFolderExists) {
  TempDir exe;
  EXPECT_EQ(parse("{}", exe.path()).plugin_dir, "/usr/lib/fathom-auth/plugins");
  std::filesystem::create_directory(exe.path() + "/plugins");
  EXPECT_EQ(parse("{}", exe.path()).plugin_dir, exe.path() + "/plugins");
  EXPECT_EQ(parse("{}", "").plugin_dir, "/usr/lib/fathom-auth/plugins");
}

// ---------------------------------------------------------------------------------------------
// Syntax

TEST(ConfigSyntax, CommentsAreAllowedAndStringsWithSlashesSurvive) {
  const Config c = parse(R"(// the dev config
{
  /* where the lake is */
  "upstream": {"url": "http://10.0.0.5:9000/"},  // trailing slash is fine
  "workers": 2 /* two */
})");
  EXPECT_EQ(c.upstream.url, "http://10.0.0.5:9000/");
  EXPECT_EQ(c.upstream.authority, "10.0.0.5:9000");
  EXPECT_EQ(c.workers, 2u);
}

TEST(ConfigSyntax, SyntaxErrorsNameTheLineAndColumn) {
  EXPECT_EQ(error_of("{\n  \"workers\": 1,\n}"),
            "t.json: line 3, column 1: syntax error while parsing object key - unexpected '}'; "
            "expected string literal");
  // Comments before the error do not shift the line.
  EXPECT_EQ(error_of("/*\n\n*/ {\"workers\" 1}").substr(0, 26), "t.json: line 3, column 15:");
  EXPECT_EQ(error_of("").substr(0, 25), "t.json: line 1, column 1:");
  EXPECT_EQ(error_of("{\"a\":").substr(0, 25), "t.json: line 1, column 6:");
}

TEST(ConfigSyntax, UnterminatedCommentsNameTheLine) {
  EXPECT_EQ(error_of("{\n/* x\n}"),
            "t.json: line 2: the /* comment that starts here is never closed with */");
}

TEST(ConfigSyntax, TheTopLevelMustBeAnObject) {
  EXPECT_EQ(error_of("[]"), "t.json: the config must be a JSON object { … }");
  EXPECT_EQ(error_of("null"), "t.json: the config must be a JSON object { … }");
}

TEST(ConfigSyntax, NumbersTooLargeForADoubleAreRefused) {
  EXPECT_EQ(error_of(R"({"workers": 1e999})").substr(0, 21), "t.json: invalid JSON:");
}

TEST(ConfigSyntax, DuplicateKeysAreRefusedWithTheirPath) {
  EXPECT_EQ(error_of(R"({"workers": 1, "workers": 2})"), "t.json: workers: duplicate key");
  EXPECT_EQ(error_of(R"({"limits": {"max_headers": 1, "max_headers": 1}})"),
            "t.json: limits.max_headers: duplicate key");
  EXPECT_EQ(error_of(R"({"plugins": [{"name": "a"}, {"name": "b", "name": "c"}]})"),
            "t.json: plugins[1].name: duplicate key");
  EXPECT_EQ(error_of(R"({"plugins": [{"name": "a", "config": [1, [2], {"x": 1, "x": 2}]}]})"),
            "t.json: plugins[0].config[2].x: duplicate key");
  // The same key in two sibling objects is no duplicate.
  EXPECT_NO_THROW(parse(R"({"plugins": [{"name": "a"}, {"name": "b"}]})"));
}

TEST(ConfigSyntax, DeepNestingIsRefused) {
  std::string deep = R"({"plugins": [{"name": "a", "config": )";
  deep += std::string(100, '[') + std::string(100, ']') + "}]}";
  EXPECT_NE(error_of(deep).find("nested deeper than 64 levels"), std::string::npos);
  std::string fine = R"({"plugins": [{"name": "a", "config": )";
  fine += std::string(40, '[') + std::string(40, ']') + "}]}";
  EXPECT_NO_THROW(parse(fine));
}

TEST(ConfigSyntax, UnknownKeysAreRefusedWithAHintForNearMisses) {
  EXPECT_EQ(error_of(R"({"listne": []})"),
            "t.json: listne: unknown key (did you mean \"listen\"?)");
  EXPECT_EQ(error_of(R"({"bogus": 1})"), "t.json: bogus: unknown key");
  EXPECT_EQ(error_of(R"({"limits": {"max_body_byte": 1}})"),
            "t.json: limits.max_body_byte: unknown key (did you mean \"max_body_bytes\"?)");
  EXPECT_EQ(error_of(R"({"upstream": {"timeout": 1}})"), "t.json: upstream.timeout: unknown key");
  EXPECT_EQ(error_of(R"({"timeouts": {"read": 1}})"), "t.json: timeouts.read: unknown key");
  EXPECT_EQ(error_of(R"({"log": {"levle": "info"}})"),
            "t.json: log.levle: unknown key (did you mean \"level\"?)");
  EXPECT_EQ(error_of(R"({"plugins": [{"name": "a", "conf": {}}]})"),
            "t.json: plugins[0].conf: unknown key (did you mean \"config\"?)");
}

// ---------------------------------------------------------------------------------------------
// listen

TEST(ConfigListen, AcceptsOneStringOrAnArray) {
  Config c = parse(R"({"listen": "0.0.0.0:80"})");
  ASSERT_EQ(c.listen.size(), 1u);
  EXPECT_EQ(c.listen[0].host, "0.0.0.0");
  EXPECT_EQ(c.listen[0].port, 80);

  c = parse(R"({"listen": ["127.0.0.1:8201", "[::1]:8201", "localhost:65535", "[::]:1"]})");
  ASSERT_EQ(c.listen.size(), 4u);
  EXPECT_EQ(c.listen[1].host, "::1");
  EXPECT_EQ(c.listen[1].port, 8201);
  EXPECT_EQ(c.listen[2].host, "localhost");
  EXPECT_EQ(c.listen[2].port, 65535);
  EXPECT_EQ(c.listen[3].host, "::");
}

TEST(ConfigListen, RefusalsNameTheEntry) {
  EXPECT_EQ(error_of(R"({"listen": []})"),
            "t.json: listen: must be a \"host:port\" string or a non-empty array of them");
  EXPECT_EQ(error_of(R"({"listen": 8201})"),
            "t.json: listen: must be a \"host:port\" string or a non-empty array of them");
  EXPECT_EQ(error_of(R"({"listen": ["127.0.0.1:1", 8201]})"),
            "t.json: listen[1]: must be a \"host:port\" string, e.g. \"127.0.0.1:8201\"");
  EXPECT_EQ(error_of(R"({"listen": "127.0.0.1"})"),
            "t.json: listen: \"127.0.0.1\": must be \"host:port\", e.g. \"127.0.0.1:8201\"");
  EXPECT_EQ(error_of(R"({"listen": "127.0.0.1:0"})"),
            "t.json: listen: \"127.0.0.1:0\": the port must be from 1 to 65535");
  EXPECT_EQ(error_of(R"({"listen": "127.0.0.1:65536"})"),
            "t.json: listen: \"127.0.0.1:65536\": the port must be from 1 to 65535");
  EXPECT_EQ(error_of(R"({"listen": "127.0.0.1:"})"),
            "t.json: listen: \"127.0.0.1:\": the port must be from 1 to 65535");
  EXPECT_EQ(error_of(R"({"listen": "127.0.0.1:+80"})"),
            "t.json: listen: \"127.0.0.1:+80\": the port must be from 1 to 65535");
  EXPECT_EQ(error_of(R"({"listen": "::1:8201"})"),
            "t.json: listen: \"::1:8201\": IPv6 addresses go in brackets, e.g. \"[::1]:8201\"");
  EXPECT_EQ(error_of(R"({"listen": "[::1]8201"})"),
            "t.json: listen: \"[::1]8201\": must be \"[IPv6 address]:port\", e.g. \"[::1]:8201\"");
  EXPECT_EQ(error_of(R"({"listen": "[1.2.3.4]:80"})"),
            "t.json: listen: \"[1.2.3.4]:80\": \"1.2.3.4\" is not an IPv6 address");
  EXPECT_EQ(error_of(R"({"listen": "example.com:80"})"),
            "t.json: listen: \"example.com:80\": the host must be a numeric IPv4 address, a "
            "bracketed IPv6 address or localhost");
  EXPECT_EQ(error_of(R"({"listen": ":80"})"),
            "t.json: listen: \":80\": the host must be a numeric IPv4 address, a bracketed IPv6 "
            "address or localhost");
  EXPECT_EQ(error_of(R"({"listen": ["127.0.0.1:80", "127.0.0.1:80"]})"),
            "t.json: listen[1]: \"127.0.0.1:80\" is listed twice");
}

// ---------------------------------------------------------------------------------------------
// workers

TEST(ConfigWorkers, ZeroMeansOnePerCore) {
  EXPECT_EQ(parse(R"({"workers": 0})").workers, cores());
  EXPECT_EQ(parse(R"({"workers": 1})").workers, 1u);
  EXPECT_EQ(parse(R"({"workers": 256})").workers, 256u);
}

TEST(ConfigWorkers, RefusesAnythingButAnIntegerFrom0To256) {
  for (const char* bad : {"257", "-1", "1.5", "\"2\"", "true", "null"}) {
    EXPECT_EQ(error_of(std::string(R"({"workers": )") + bad + "}"),
              "t.json: workers: must be an integer from 0 to 256")
        << bad;
  }
}

// ---------------------------------------------------------------------------------------------
// upstream

TEST(ConfigUpstream, ParsesHostPortAndAuthority) {
  Config c = parse(R"({"upstream": {"url": "http://lake.internal"}})");
  EXPECT_EQ(c.upstream.host, "lake.internal");
  EXPECT_EQ(c.upstream.port, 80);
  EXPECT_EQ(c.upstream.authority, "lake.internal:80");

  c = parse(R"({"upstream": {"url": "HTTP://[::1]:8202/"}})");
  EXPECT_EQ(c.upstream.scheme, "http");
  EXPECT_EQ(c.upstream.host, "::1");
  EXPECT_EQ(c.upstream.port, 8202);
  EXPECT_EQ(c.upstream.authority, "[::1]:8202");
  EXPECT_EQ(c.upstream.url, "HTTP://[::1]:8202/");

  c = parse(R"({"upstream": {"forward_authorization": true, "max_idle_connections": 0}})");
  EXPECT_TRUE(c.upstream.forward_authorization);
  EXPECT_EQ(c.upstream.max_idle_connections, 0u);
  EXPECT_EQ(parse(R"({"upstream": {"max_idle_connections": 10000}})").upstream.max_idle_connections,
            10000u);
}

TEST(ConfigUpstream, RefusalsNameTheKey) {
  auto url_error = [](const std::string& url) {
    return error_of(R"({"upstream": {"url": ")" + url + "\"}}");
  };
  EXPECT_EQ(url_error("ftp://lake"),
            "t.json: upstream.url: must be an http:// or https:// URL such as "
            "\"http://127.0.0.1:8202\"");
  EXPECT_EQ(url_error("127.0.0.1:8202"),
            "t.json: upstream.url: must be an http:// or https:// URL such as "
            "\"http://127.0.0.1:8202\"");
  EXPECT_EQ(url_error("http://lake/v1"),
            "t.json: upstream.url: must not have a path, query or fragment (found \"/v1\"); "
            "requests are forwarded with their own path");
  EXPECT_EQ(url_error("http://lake?x"),
            "t.json: upstream.url: must not have a path, query or fragment (found \"?x\"); "
            "requests are forwarded with their own path");
  EXPECT_EQ(url_error("http://user:pw@lake"),
            "t.json: upstream.url: must not contain user:password@");
  EXPECT_EQ(url_error("http://"),
            "t.json: upstream.url: the host must be a name, an IPv4 address or a bracketed IPv6 "
            "address");
  EXPECT_EQ(url_error("http://la ke"),
            "t.json: upstream.url: the host must be a name, an IPv4 address or a bracketed IPv6 "
            "address");
  EXPECT_EQ(url_error("http://::1:80"),
            "t.json: upstream.url: the host must be a name, an IPv4 address or a bracketed IPv6 "
            "address");
  EXPECT_EQ(url_error("http://[::1"), "t.json: upstream.url: the IPv6 address has no closing ]");
  EXPECT_EQ(url_error("http://[lake]:80"), "t.json: upstream.url: \"lake\" is not an IPv6 address");
  EXPECT_EQ(url_error("http://lake:0"), "t.json: upstream.url: the port must be from 1 to 65535");
  EXPECT_EQ(url_error("http://lake:"), "t.json: upstream.url: the port must be from 1 to 65535");
  EXPECT_EQ(url_error("http://lake:99999"),
            "t.json: upstream.url: the port must be from 1 to 65535");
  EXPECT_EQ(url_error("http://[::1]x"), "t.json: upstream.url: the port must be from 1 to 65535");

  EXPECT_EQ(error_of(R"({"upstream": "http://lake"})"),
            "t.json: upstream: must be an object { … }");
  EXPECT_EQ(error_of(R"({"upstream": {"url": 5}})"), "t.json: upstream.url: must be a string");
  EXPECT_EQ(error_of(R"({"upstream": {"forward_authorization": "yes"}})"),
            "t.json: upstream.forward_authorization: must be true or false");
  EXPECT_EQ(error_of(R"({"upstream": {"max_idle_connections": 10001}})"),
            "t.json: upstream.max_idle_connections: must be an integer from 0 to 10000");
}

// ---------------------------------------------------------------------------------------------
// Paths

TEST(ConfigPaths, RelativePathsResolveAgainstTheConfigFolder) {
  Config c = parse(R"({"state_dir": "../var", "plugin_dir": "plugins/"})");
  EXPECT_EQ(c.state_dir, "/srv/fathom/var");
  EXPECT_EQ(c.plugin_dir, "/srv/fathom/conf/plugins");

  c = parse(R"({"state_dir": "/var/lib/x/", "plugin_dir": "/opt/p"})");
  EXPECT_EQ(c.state_dir, "/var/lib/x");
  EXPECT_EQ(c.plugin_dir, "/opt/p");

  c = parse(R"({"state_dir": "."})");
  EXPECT_EQ(c.state_dir, "/srv/fathom/conf");
}

TEST(ConfigPaths, ARelativeBaseIsMadeAbsolute) {
  const Config c = parse_config(R"({"state_dir": "var"})", "t.json", "conf", kNoExeDir);
  EXPECT_EQ(c.state_dir,
            (std::filesystem::current_path() / "conf/var").lexically_normal().string());
}

TEST(ConfigPaths, RefusesEmptyAndNonStringPaths) {
  EXPECT_EQ(error_of(R"({"state_dir": ""})"), "t.json: state_dir: must not be empty");
  EXPECT_EQ(error_of(R"({"state_dir": 1})"), "t.json: state_dir: must be a string");
  EXPECT_EQ(error_of(R"({"plugin_dir": "a\u0000b"})"),
            "t.json: plugin_dir: must not contain a NUL character");
}

// ---------------------------------------------------------------------------------------------
// plugins

TEST(ConfigPlugins, NamesPathsAndConfigs) {
  const Config c = parse(R"({
    "plugins": [
      {"name": "scope-rules", "config": {"rules": [{"prefix": "/", "public": true}], "b": 1}},
      {"name": "read-only", "config": null},
      {"name": "my_plugin2", "path": "../lib/mine.so"},
      {"name": "abs", "path": "/opt/abs.so", "config": "text"}
    ],
    "plugin_dir": "/opt/fathom/plugins"
  })");
  ASSERT_EQ(c.plugins.size(), 4u);
  EXPECT_EQ(c.plugins[0].name, "scope-rules");
  // plugin_dir applies even though it comes after "plugins" in the file.
  EXPECT_EQ(c.plugins[0].path, "/opt/fathom/plugins/scope-rules.so");
  // The plugin sees its config in the order written.
  EXPECT_EQ(c.plugins[0].config_json, R"({"rules":[{"prefix":"/","public":true}],"b":1})");
  EXPECT_EQ(c.plugins[1].config_json, "null");
  EXPECT_EQ(c.plugins[2].path, "/srv/fathom/lib/mine.so");
  EXPECT_EQ(c.plugins[2].config_json, "null");
  EXPECT_EQ(c.plugins[3].path, "/opt/abs.so");
  EXPECT_EQ(c.plugins[3].config_json, "\"text\"");
}

TEST(ConfigPlugins, AMissingFileIsLeftForTheLoader) {
  EXPECT_NO_THROW(parse(R"({"plugins": [{"name": "nowhere", "path": "/nonexistent/x.so"}]})"));
}

TEST(ConfigPlugins, RefusalsNameTheEntry) {
  const std::string bad_name =
      "must be lowercase letters, digits, '-' or '_' (starting with a letter or digit), at most "
      "64 characters";
  EXPECT_EQ(error_of(R"({"plugins": {"name": "a"}})"),
            "t.json: plugins: must be an array of {\"name\": …} objects");
  EXPECT_EQ(error_of(R"({"plugins": ["scope-rules"]})"),
            "t.json: plugins[0]: must be an object { … }");
  EXPECT_EQ(error_of(R"({"plugins": [{"name": "a"}, {"config": {}}]})"),
            "t.json: plugins[1].name: is required");
  EXPECT_EQ(error_of(R"({"plugins": [{"name": 1}]})"), "t.json: plugins[0].name: must be a string");
  for (const char* name : {"Scope", "-x", "_x", "a b", "a/b", "", "../x", "a.so"}) {
    EXPECT_EQ(error_of(std::string(R"({"plugins": [{"name": ")") + name + "\"}]}"),
              "t.json: plugins[0].name: " + bad_name)
        << name;
  }
  EXPECT_EQ(error_of(R"({"plugins": [{"name": ")" + std::string(65, 'a') + "\"}]}"),
            "t.json: plugins[0].name: " + bad_name);
  EXPECT_NO_THROW(parse(R"({"plugins": [{"name": ")" + std::string(64, 'a') + "\"}]}"));
  EXPECT_EQ(error_of(R"({"plugins": [{"name": "a", "path": ""}]})"),
            "t.json: plugins[0].path: must not be empty");
}

// ---------------------------------------------------------------------------------------------
// limits

struct LimitCase {
  const char* key;
  uint64_t min;
  uint64_t max;
};

constexpr LimitCase kLimits[] = {
    {"max_request_line", 256, 1048576},
    {"max_header_bytes", 1024, 1048576},
    {"max_headers", 1, 1000},
    {"max_body_bytes", 1, 1099511627776},
    {"max_handler_body", 1, 67108864},
    {"max_connections", 1, 1000000},
    {"auth_failures_per_minute", 0, 100000},
    {"auth_failure_burst", 0, 100000},
};

uint64_t limit_value(const LimitsConfig& l, std::string_view key) {
  if (key == "max_request_line") return l.max_request_line;
  if (key == "max_header_bytes") return l.max_header_bytes;
  if (key == "max_headers") return l.max_headers;
  if (key == "max_body_bytes") return l.max_body_bytes;
  if (key == "max_handler_body") return l.max_handler_body;
  if (key == "max_connections") return l.max_connections;
  if (key == "auth_failures_per_minute") return l.auth_failures_per_minute;
  if (key == "auth_failure_burst") return l.auth_failure_burst;
  ADD_FAILURE() << key;
  return 0;
}

TEST(ConfigLimits, AcceptsBothEndsOfEachRange) {
  for (const LimitCase& c : kLimits) {
    for (uint64_t v : {c.min, c.max}) {
      const std::string text =
          std::string(R"({"limits": {")") + c.key + "\": " + std::to_string(v) + "}}";
      EXPECT_EQ(limit_value(parse(text).limits, c.key), v) << text;
    }
  }
}

TEST(ConfigLimits, RefusesValuesOutsideEachRange) {
  for (const LimitCase& c : kLimits) {
    const std::string message = std::string("t.json: limits.") + c.key +
                                ": must be an integer from " + std::to_string(c.min) + " to " +
                                std::to_string(c.max);
    std::vector<std::string> bad = {std::to_string(c.max + 1), "-1", "1.5", "\"10\"", "null"};
    if (c.min > 0) bad.push_back(std::to_string(c.min - 1));
    for (const std::string& v : bad) {
      EXPECT_EQ(error_of(std::string(R"({"limits": {")") + c.key + "\": " + v + "}}"), message)
          << c.key << " = " << v;
    }
  }
  EXPECT_EQ(error_of(R"({"limits": {"max_body_bytes": 1099511627777}})"),
            "t.json: limits.max_body_bytes: must be an integer from 1 to 1099511627776");
  EXPECT_EQ(error_of(R"({"limits": {"max_body_bytes": 18446744073709551615}})"),
            "t.json: limits.max_body_bytes: must be an integer from 1 to 1099511627776");
  EXPECT_EQ(error_of(R"({"limits": 5})"), "t.json: limits: must be an object { … }");
}

// ---------------------------------------------------------------------------------------------
// timeouts

TEST(ConfigTimeouts, SecondsWithFractions) {
  const Config c =
      parse(R"({"timeouts": {"header_read": 0.5, "idle": 120, "upstream_connect": 0.001,
                                         "upstream_response": 86400, "drain": 2.0004}})");
  EXPECT_EQ(c.timeouts.header_read, milliseconds(500));
  EXPECT_EQ(c.timeouts.idle, milliseconds(120'000));
  EXPECT_EQ(c.timeouts.upstream_connect, milliseconds(1));
  EXPECT_EQ(c.timeouts.upstream_response, milliseconds(86'400'000));
  EXPECT_EQ(c.timeouts.drain, milliseconds(2'000));
}

TEST(ConfigTimeouts, RefusesZeroNegativeTooLongAndNonNumbers) {
  for (const char* key :
       {"header_read", "idle", "upstream_connect", "upstream_response", "drain"}) {
    for (const char* v : {"0", "-1", "86400.5", "\"10\"", "true", "null"}) {
      EXPECT_EQ(error_of(std::string(R"({"timeouts": {")") + key + "\": " + v + "}}"),
                std::string("t.json: timeouts.") + key +
                    ": must be a number of seconds more than 0 and at most 86400 (e.g. 10 or 0.5)")
          << key << " = " << v;
    }
  }
  EXPECT_EQ(error_of(R"({"timeouts": {"idle": 0.0001}})"),
            "t.json: timeouts.idle: must be at least 0.001 (one millisecond)");
}

// ---------------------------------------------------------------------------------------------
// log

TEST(ConfigLog, Levels) {
  EXPECT_EQ(parse(R"({"log": {"level": "debug"}})").log_level, LogLevelSetting::debug);
  EXPECT_EQ(parse(R"({"log": {"level": "info"}})").log_level, LogLevelSetting::info);
  EXPECT_EQ(parse(R"({"log": {"level": "warn"}})").log_level, LogLevelSetting::warn);
  EXPECT_EQ(parse(R"({"log": {"level": "error"}})").log_level, LogLevelSetting::error);
  for (const char* bad : {"\"verbose\"", "\"INFO\"", "1"}) {
    EXPECT_EQ(error_of(std::string(R"({"log": {"level": )") + bad + "}}"),
              "t.json: log.level: must be one of \"debug\", \"info\", \"warn\", \"error\"");
  }
  EXPECT_EQ(error_of(R"({"log": "info"})"), "t.json: log: must be an object { … }");
}

// ---------------------------------------------------------------------------------------------
// load_config

TEST(ConfigLoad, ReadsTheFileAndResolvesAgainstItsFolder) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() + "/conf");
  const std::string file = dir.write("conf/fathom.json", R"({
    // relative to conf/
    "state_dir": "../var",
    "plugins": [{"name": "x", "path": "x.so"}]
  })");
  const Config c = load_config(file, kNoExeDir);
  EXPECT_EQ(c.source_path, file);
  EXPECT_EQ(c.state_dir, dir.path() + "/var");
  EXPECT_EQ(c.plugins[0].path, dir.path() + "/conf/x.so");
}

TEST(ConfigLoad, ARelativeFileNameResolvesAgainstTheCurrentFolder) {
  TempDir dir;
  dir.write("f.json", R"({"state_dir": "s"})");
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  Config c;
  EXPECT_NO_THROW(c = load_config("f.json", kNoExeDir));
  std::filesystem::current_path(cwd);
  EXPECT_EQ(c.source_path, dir.path() + "/f.json");
  EXPECT_EQ(c.state_dir, dir.path() + "/s");
}

TEST(ConfigLoad, MessagesNameTheFileAsGiven) {
  TempDir dir;
  const std::string file = dir.write("bad.json", "{\n  \"listne\": []\n}");
  try {
    load_config(file, kNoExeDir);
    ADD_FAILURE();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), file + ": listne: unknown key (did you mean \"listen\"?)");
  }
}

TEST(ConfigLoad, UnreadableFilesSayWhy) {
  try {
    load_config("/nonexistent/fathom.json", kNoExeDir);
    ADD_FAILURE();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "cannot read /nonexistent/fathom.json: No such file or directory");
  }
  TempDir dir;
  try {
    load_config(dir.path(), kNoExeDir);
    ADD_FAILURE();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot read " + dir.path() + ": Is a directory");
  }
}

// ---------------------------------------------------------------------------------------------
// The configs the project ships must load as they are.

TEST(ConfigShipped, DevConfigLoads) {
  const std::string source = FATHOM_SOURCE_DIR;
  const Config c = load_config(source + "/conf/dev.json", kNoExeDir);
  ASSERT_EQ(c.listen.size(), 1u);
  EXPECT_EQ(c.listen[0].host, "127.0.0.1");
  EXPECT_EQ(c.listen[0].port, 8201);
  EXPECT_EQ(c.workers, 1u);
  EXPECT_EQ(c.upstream.authority, "127.0.0.1:8202");
  EXPECT_EQ(c.state_dir, std::filesystem::path(source + "/var").lexically_normal().string());
  ASSERT_EQ(c.plugins.size(), 3u);
  EXPECT_EQ(c.plugins[0].name, "admin");
  EXPECT_EQ(c.plugins[1].name, "dashboard");
  EXPECT_EQ(c.plugins[2].name, "scope-rules");
  EXPECT_EQ(c.plugins[2].config_json, "null");
  EXPECT_EQ(c.log_level, LogLevelSetting::info);
}

TEST(ConfigShipped, ExampleConfigLoadsWithTheDefaults) {
  const std::string source = FATHOM_SOURCE_DIR;
  const Config c = load_config(source + "/conf/fathom-auth.json", kNoExeDir);
  const Config defaults = parse("{}");
  EXPECT_EQ(c.listen[0].host, defaults.listen[0].host);
  EXPECT_EQ(c.listen[0].port, defaults.listen[0].port);
  EXPECT_EQ(c.workers, defaults.workers);
  EXPECT_EQ(c.upstream.authority, defaults.upstream.authority);
  EXPECT_EQ(c.upstream.forward_authorization, defaults.upstream.forward_authorization);
  EXPECT_EQ(c.upstream.max_idle_connections, defaults.upstream.max_idle_connections);
  EXPECT_EQ(c.state_dir, defaults.state_dir);
  EXPECT_EQ(c.plugin_dir, "/usr/lib/fathom-auth/plugins");
  EXPECT_EQ(c.limits.max_request_line, defaults.limits.max_request_line);
  EXPECT_EQ(c.limits.max_header_bytes, defaults.limits.max_header_bytes);
  EXPECT_EQ(c.limits.max_headers, defaults.limits.max_headers);
  EXPECT_EQ(c.limits.max_body_bytes, defaults.limits.max_body_bytes);
  EXPECT_EQ(c.limits.max_handler_body, defaults.limits.max_handler_body);
  EXPECT_EQ(c.limits.max_connections, defaults.limits.max_connections);
  EXPECT_EQ(c.limits.auth_failures_per_minute, defaults.limits.auth_failures_per_minute);
  EXPECT_EQ(c.limits.auth_failure_burst, defaults.limits.auth_failure_burst);
  EXPECT_EQ(c.timeouts.header_read, defaults.timeouts.header_read);
  EXPECT_EQ(c.timeouts.idle, defaults.timeouts.idle);
  EXPECT_EQ(c.timeouts.upstream_connect, defaults.timeouts.upstream_connect);
  EXPECT_EQ(c.timeouts.upstream_response, defaults.timeouts.upstream_response);
  EXPECT_EQ(c.timeouts.drain, defaults.timeouts.drain);
  EXPECT_EQ(c.log_level, defaults.log_level);
  // The dashboard is installed but off: on the lake's origin, lake content could reach the
  // page's admin token (docs/dashboard.md).
  ASSERT_EQ(c.plugins.size(), 2u);
  EXPECT_EQ(c.plugins[0].name, "admin");
  EXPECT_EQ(c.plugins[1].name, "scope-rules");
  EXPECT_EQ(c.plugins[1].path, "/usr/lib/fathom-auth/plugins/scope-rules.so");
}

TEST(ConfigStore, FileIsTheDefaultBesideTheState) {
  Config c = parse(R"({"state_dir": "/var/lib/x"})");
  EXPECT_EQ(c.store.backend, "file");
  EXPECT_EQ(c.store.path, "/var/lib/x/store");
  EXPECT_EQ(c.store.prefix, "fathom:");
  EXPECT_EQ(c.audit.path, "/var/lib/x/audit");
  EXPECT_EQ(c.audit.retain_days, 365u);
  EXPECT_EQ(c.tokens.idle_expiry_days, 0u);
  EXPECT_EQ(c.cache.stale_if_error, milliseconds(30'000));
}

TEST(ConfigStore, RedisNeedsAUrl) {
  Config c = parse(
      R"({"store": {"backend": "redis", "url": "redis://10.0.0.5:6380/2", "prefix": "f1:"}})");
  EXPECT_EQ(c.store.backend, "redis");
  EXPECT_EQ(c.store.url, "redis://10.0.0.5:6380/2");
  EXPECT_EQ(c.store.prefix, "f1:");
  EXPECT_EQ(parse(R"({"store": {"backend": "redis", "url": "unix:///run/redis.sock"}})").store.url,
            "unix:///run/redis.sock");
  EXPECT_NE(error_of(R"({"store": {"backend": "redis"}})").find("store.url: is required"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"store": {"backend": "redis", "url": "http://x"}})").find("store.url"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"store": {"url": "redis://x:1/0"}})").find("only for"), std::string::npos);
  EXPECT_NE(error_of(R"({"store": {"backend": "mysql"}})").find("store.backend"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"store": {"backend": "redis", "url": "redis://h:1", "prefix": ""}})")
                .find("store.prefix"),
            std::string::npos);
}

TEST(ConfigAudit, PathRetentionAndIdleExpiry) {
  Config c = parse(
      R"({"audit": {"path": "audit-here", "retain_days": 30}, "tokens": {"idle_expiry_days": 90},
          "cache": {"stale_if_error": 5}})");
  EXPECT_EQ(c.audit.path, std::string(kBase) + "/audit-here");
  EXPECT_EQ(c.audit.retain_days, 30u);
  EXPECT_EQ(c.tokens.idle_expiry_days, 90u);
  EXPECT_EQ(c.cache.stale_if_error, milliseconds(5'000));
  EXPECT_EQ(parse(R"({"audit": {"retain_days": 0}})").audit.retain_days, 0u);
  EXPECT_NE(error_of(R"({"audit": {"retain_days": -1}})").find("audit.retain_days"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"tokens": {"idle_expiry_days": "30"}})").find("tokens.idle_expiry_days"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"audit": {"keep": 1}})").find("audit"), std::string::npos);
}

}  // namespace
}  // namespace fathom
