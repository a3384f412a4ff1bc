// Tests admin/plugin.cpp as the daemon sees it: the built admin.so, loaded with dlopen, created
// through its descriptor with a Host that offers a real FileStore, and unloaded again.

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "route_harness.h"

namespace fathom::admin::testing {
namespace {

const std::string kAdminSo = std::string(FATHOM_BINARY_DIR) + "/plugins/admin.so";

class TestHost final : public Host {
 public:
  explicit TestHost(TokenStore* store, AuditLog* audit = nullptr) : store_(store), audit_(audit) {}
  void log(LogLevel, std::string_view event, std::string_view) override {
    std::lock_guard lock(mutex_);
    events_.emplace_back(event);
  }
  TokenStore* store() override { return store_; }
  AuditLog* audit() override { return audit_; }
  NewSecret new_secret() override { return credentials_.new_secret(); }
  std::string new_token_id() override { return credentials_.new_token_id(); }
  NewSecret new_pair_code() override { return credentials_.new_pair_code(); }
  std::string new_pair_code_id() override { return credentials_.new_pair_code_id(); }
  std::string hash_secret(std::string_view secret) override {
    return credentials_.hash_secret(secret);
  }
  int rate_limited(std::string_view) override { return 0; }
  void count_failure(std::string_view) override {}
  std::vector<std::string> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  TokenStore* store_;
  AuditLog* audit_;
  CountingCredentials credentials_;
  std::mutex mutex_;
  std::vector<std::string> events_;
};

class AdminPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kAdminSo)) << "build the admin-plugin target first";
    handle_ = dlopen(kAdminSo.c_str(), RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle_, nullptr) << dlerror();
    auto fn =
        reinterpret_cast<fathom_plugin_descriptor_fn>(dlsym(handle_, "fathom_plugin_descriptor"));
    ASSERT_NE(fn, nullptr);
    descriptor_ = fn();
  }
  void TearDown() override {
    if (handle_ != nullptr) dlclose(handle_);
  }

  void* handle_ = nullptr;
  const PluginDescriptor* descriptor_ = nullptr;
};

Response answer(RouteHandler& handler, const Request& request, std::string_view body = "") {
  auto responder = std::make_shared<CapturingResponder>();
  handler.handle(request, body, responder);
  return responder->wait();
}

TEST_F(AdminPluginTest, DescriptorMatchesThisBuild) {
  EXPECT_EQ(descriptor_->abi_version, FATHOM_PLUGIN_ABI_VERSION);
  EXPECT_STREQ(descriptor_->toolchain, FATHOM_TOOLCHAIN);
  EXPECT_STREQ(descriptor_->name, "admin");
}

TEST_F(AdminPluginTest, RefusesSettingsItDoesNotHave) {
  TestHost host(nullptr);
  std::string error;
  EXPECT_EQ(descriptor_->create(host, R"({"listen": 1})", error), nullptr);
  EXPECT_TRUE(error.starts_with("config: ")) << error;
  for (const char* ok : {"null", "{}"}) {
    Plugin* plugin = descriptor_->create(host, ok, error);
    ASSERT_NE(plugin, nullptr) << ok << ": " << error;
    descriptor_->destroy(plugin);
  }
}

TEST_F(AdminPluginTest, ServesTheRoutesFromTheHostsStore) {
  const std::filesystem::path dir = make_temp_dir();
  {
    store::FileStore store(dir / "store", "fingerprint");
    TestHost host(&store);
    std::string error;
    Plugin* plugin = descriptor_->create(host, "null", error);
    ASSERT_NE(plugin, nullptr) << error;
    EXPECT_EQ(plugin->policy(), nullptr);
    RouteHandler* handler = plugin->handler();
    ASSERT_NE(handler, nullptr);

    const Identity root{"tok_root000000000000", "root", {"admin"}};
    TestRequest mint("POST", "/v1/tokens", "", &root);
    ASSERT_TRUE(handler->claim(mint));
    EXPECT_FALSE(handler->claim(TestRequest("GET", "/v1/stats", "", nullptr)));
    Response created = answer(*handler, mint, R"({"name": "n", "scopes": ["lake:read"]})");
    EXPECT_EQ(created.status, 201) << created.body;
    const Json token = Json::parse(created.body);
    EXPECT_EQ(host.events(), std::vector<std::string>{"token_created"});

    const Identity reader{token["token_id"], "n", {"lake:read"}};
    Response me = answer(*handler, TestRequest("GET", "/v1/auth/me", "", &reader));
    EXPECT_EQ(me.status, 200) << me.body;
    descriptor_->destroy(plugin);
  }
  std::filesystem::remove_all(dir);
}

TEST_F(AdminPluginTest, AuditsChangesInTheHostsAuditLog) {
  const std::filesystem::path dir = make_temp_dir();
  {
    store::FileStore store(dir / "store", "fingerprint");
    audit::FileAuditLog trail(dir / "audit");
    TestHost host(&store, &trail);
    std::string error;
    Plugin* plugin = descriptor_->create(host, "null", error);
    ASSERT_NE(plugin, nullptr) << error;
    const Identity root{"tok_root000000000000", "root", {"admin"}};
    Response created = answer(*plugin->handler(), TestRequest("POST", "/v1/tokens", "", &root),
                              R"({"name": "n", "scopes": ["lake:read"]})");
    EXPECT_EQ(created.status, 201) << created.body;
    Response page = answer(*plugin->handler(), TestRequest("GET", "/v1/audit", "", &root));
    ASSERT_EQ(page.status, 200) << page.body;
    const Json events = Json::parse(page.body)["events"];
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["kind"], "token.created");
    EXPECT_EQ(events[0]["actor_token_id"], root.token_id);
    // /v1/pair is public, and answers without a token.
    TestRequest pair("POST", "/v1/pair", "", nullptr);
    ASSERT_TRUE(plugin->handler()->claim(pair));
    EXPECT_EQ(plugin->handler()->claim(pair)->verdict, Verdict::allow_public);
    EXPECT_EQ(
        answer(*plugin->handler(), pair, R"({"code": "pair_000000000000000000000000"})").status,
        400);
    descriptor_->destroy(plugin);
  }
  std::filesystem::remove_all(dir);
}

TEST_F(AdminPluginTest, WithoutAStoreClaimsAndAnswers503) {
  TestHost host(nullptr);
  std::string error;
  Plugin* plugin = descriptor_->create(host, "null", error);
  ASSERT_NE(plugin, nullptr) << error;
  const Identity root{"tok_root000000000000", "root", {"admin"}};
  TestRequest list("GET", "/v1/tokens", "", &root);
  ASSERT_TRUE(plugin->handler()->claim(list));
  EXPECT_EQ(answer(*plugin->handler(), list).status, 503);
  descriptor_->destroy(plugin);
}

TEST_F(AdminPluginTest, UnloadsCompletely) {
  dlclose(handle_);
  handle_ = nullptr;
  void* still = dlopen(kAdminSo.c_str(), RTLD_NOW | RTLD_NOLOAD);
  EXPECT_EQ(still, nullptr) << "admin.so stayed mapped after dlclose (STB_GNU_UNIQUE symbols?)";
  if (still != nullptr) dlclose(still);
}

}  // namespace
}  // namespace fathom::admin::testing
