// Tests proxy/plugin_host/plugin_loader.cpp against real plugin objects: the project's own, and
// the test plugins built from tests/plugins/ the way an outside author would build them.

#include "plugin_host/plugin_loader.h"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <link.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../plugins/fake_request.h"
#include "ops/log.h"

namespace fathom {
namespace {

const std::string kBinaryDir = FATHOM_BINARY_DIR;
const std::string kScopeRules = kBinaryDir + "/plugins/scope-rules.so";
const std::string kReadOnly = kBinaryDir + "/plugins/read-only.so";
const std::string kEcho = kBinaryDir + "/test-plugins/test-echo-policy.so";
const std::string kWrongAbi = kBinaryDir + "/test-plugins/test-wrong-abi.so";

PluginConfig plugin(std::string name, std::string path, std::string config_json = "null") {
  return {std::move(name), std::move(path), std::move(config_json)};
}

std::string error_of(const std::vector<PluginConfig>& plugins) {
  try {
    load_plugins(plugins);
  } catch (const PluginError& e) {
    return e.what();
  }
  ADD_FAILURE() << "loaded";
  return "";
}

// Is the object at `path` still mapped into this process?
bool is_loaded(const std::string& path) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (handle == nullptr) return false;
  dlclose(handle);
  return true;
}

Verdict verdict(const ScopePolicy& policy, const char* method, const char* path) {
  return policy.decide(testing::FakeRequest(method, path)).verdict;
}

TEST(PluginLoader, NoPluginsGiveAnEmptySet) {
  const auto set = load_plugins({});
  EXPECT_TRUE(set->policies().empty());
  EXPECT_TRUE(set->handlers().empty());
  EXPECT_TRUE(set->names().empty());
}

TEST(PluginLoader, LoadsPoliciesInConfigOrder) {
  const auto set = load_plugins({
      plugin("test-echo-policy", kEcho, R"({"public_prefix":"/open/"})"),
      plugin("read-only", kReadOnly),
      plugin("scope-rules", kScopeRules),
  });
  EXPECT_EQ(set->names(),
            (std::vector<std::string>{"test-echo-policy", "read-only", "scope-rules"}));
  ASSERT_EQ(set->policies().size(), 3u);
  EXPECT_TRUE(set->handlers().empty());

  const ScopePolicy& echo = *set->policies()[0];
  EXPECT_EQ(verdict(echo, "POST", "/open/x"), Verdict::allow_public);
  EXPECT_EQ(verdict(echo, "GET", "/closed"), Verdict::abstain);

  const ScopePolicy& read_only = *set->policies()[1];
  EXPECT_EQ(verdict(read_only, "GET", "/x"), Verdict::abstain);
  EXPECT_EQ(verdict(read_only, "DELETE", "/x"), Verdict::deny);

  const ScopePolicy& rules = *set->policies()[2];
  const PolicyDecision d = rules.decide(testing::FakeRequest("GET", "/v1/stats"));
  EXPECT_EQ(d.verdict, Verdict::require);
  ASSERT_EQ(d.scopes.size(), 1u);
  EXPECT_EQ(d.scopes[0], "lake:read");
}

TEST(PluginLoader, OnePluginMayBeLoadedTwiceWithDifferentConfigs) {
  const auto set = load_plugins({
      plugin("test-echo-policy", kEcho, R"({"public_prefix":"/a/"})"),
      plugin("test-echo-policy", kEcho, R"({"public_prefix":"/b/"})"),
  });
  ASSERT_EQ(set->policies().size(), 2u);
  EXPECT_EQ(verdict(*set->policies()[0], "GET", "/a/x"), Verdict::allow_public);
  EXPECT_EQ(verdict(*set->policies()[0], "GET", "/b/x"), Verdict::abstain);
  EXPECT_EQ(verdict(*set->policies()[1], "GET", "/b/x"), Verdict::allow_public);
}

TEST(PluginLoader, PluginsLogThroughTheHostWithTheirName) {
  log::set_level(LogLevelSetting::info);
  ::testing::internal::CaptureStderr();
  { const auto set = load_plugins({plugin("test-echo-policy", kEcho)}); }
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("\"event\":\"echo_policy_created\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"plugin\":\"test-echo-policy\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"event\":\"plugin_loaded\""), std::string::npos) << out;
}

TEST(PluginLoader, UnloadsWhenTheSetIsDestroyed) {
  ASSERT_FALSE(is_loaded(kEcho));
  ASSERT_FALSE(is_loaded(kScopeRules));
  {
    const auto set =
        load_plugins({plugin("test-echo-policy", kEcho), plugin("scope-rules", kScopeRules)});
    EXPECT_TRUE(is_loaded(kEcho));
    EXPECT_TRUE(is_loaded(kScopeRules));
  }
  // A plugin that stayed mapped would keep running old code after a reload.
  EXPECT_FALSE(is_loaded(kEcho));
  EXPECT_FALSE(is_loaded(kScopeRules));
}

TEST(PluginLoader, ARefusalUnloadsThePluginsLoadedBeforeIt) {
  EXPECT_NE(error_of({plugin("test-echo-policy", kEcho), plugin("test-wrong-abi", kWrongAbi)}), "");
  EXPECT_FALSE(is_loaded(kEcho));
  EXPECT_FALSE(is_loaded(kWrongAbi));
}

TEST(PluginLoader, RefusesAMissingFile) {
  EXPECT_EQ(error_of({plugin("nowhere", "/nonexistent/nowhere.so")}),
            "plugin \"nowhere\" (/nonexistent/nowhere.so): No such file or directory");
}

TEST(PluginLoader, RefusesAFileThatIsNotASharedObject) {
  char path[] = "/tmp/fathom-not-elf-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "hello\n", 6), 6);
  close(fd);
  const std::string message = error_of({plugin("text", path)});
  unlink(path);
  EXPECT_EQ(message.rfind("plugin \"text\" (" + std::string(path) + "): cannot load: ", 0), 0u)
      << message;
}

// Any shared object without the descriptor will do; libm is mapped into every C++ test binary.
int find_libm(dl_phdr_info* info, size_t, void* out) {
  const std::string name = info->dlpi_name ? info->dlpi_name : "";
  if (name.find("/libm.so") == std::string::npos) return 0;
  *static_cast<std::string*>(out) = name;
  return 1;
}

TEST(PluginLoader, RefusesASharedObjectWithoutTheDescriptor) {
  std::string libm;
  dl_iterate_phdr(&find_libm, &libm);
  if (libm.empty()) GTEST_SKIP() << "libm is not mapped into this process";
  EXPECT_EQ(error_of({plugin("libm", libm)}),
            "plugin \"libm\" (" + libm +
                "): not a fathom-auth plugin (it exports no fathom_plugin_descriptor)");
}

TEST(PluginLoader, RefusesAnotherAbiVersionNamingBoth) {
  EXPECT_EQ(error_of({plugin("test-wrong-abi", kWrongAbi)}),
            "plugin \"test-wrong-abi\" (" + kWrongAbi + ") was built for plugin ABI " +
                std::to_string(FATHOM_PLUGIN_ABI_VERSION + 1) + "; this daemon speaks ABI " +
                std::to_string(FATHOM_PLUGIN_ABI_VERSION));
}

TEST(PluginLoader, RefusesAFileWhoseNameDiffersFromTheConfig) {
  EXPECT_EQ(error_of({plugin("echo", kEcho)}),
            "plugin \"echo\" (" + kEcho +
                ") is the plugin \"test-echo-policy\"; the config must name it so");
}

TEST(PluginLoader, PassesOnThePluginsConfigError) {
  EXPECT_EQ(error_of({plugin("scope-rules", kScopeRules,
                             R"({"rules":[{"prefix":"v1/","scopes":["lake:read"]}]})")}),
            "plugin \"scope-rules\": rules[0].prefix: must start with \"/\"");
  EXPECT_EQ(error_of({plugin("read-only", kReadOnly, R"({"allow":[]})")}),
            "plugin \"read-only\": allow: unknown key (read-only takes no settings)");
  EXPECT_EQ(error_of({plugin("test-echo-policy", kEcho, R"({"public_prefix":"open"})")}),
            "plugin \"test-echo-policy\": public_prefix: must start with /");
}

}  // namespace
}  // namespace fathom
