// Drives admin/token_routes.cpp the way the daemon does, against a real FileStore in a temporary
// directory: a Request with an identity, a Responder that captures the one answer (which may
// come from the store's writer thread), a clock the test moves, and the log lines written.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fathom/plugin.h"
#include "store/file_store.h"
#include "token_routes.h"

namespace fathom::admin::testing {

using Json = nlohmann::json;

// 2027-01-15T08:00:00Z: a fixed start, so rendered times can be compared as text.
inline constexpr UnixTime kStart = 1800000000;

class CapturingResponder final : public Responder {
 public:
  void respond(Response response) override {
    std::lock_guard lock(mutex_);
    ++calls_;
    if (!response_) response_ = std::move(response);
    answered_.notify_all();
  }
  bool cancelled() const override { return false; }

  // The answer, waiting for a store thread if need be.
  Response wait() {
    std::unique_lock lock(mutex_);
    if (!answered_.wait_for(lock, std::chrono::seconds(10),
                            [&] { return response_.has_value(); })) {
      ADD_FAILURE() << "no answer within 10 s";
      return {};
    }
    return *response_;
  }
  int calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable answered_;
  std::optional<Response> response_;
  int calls_ = 0;
};

class TestRequest final : public Request {
 public:
  TestRequest(std::string method, std::string path, std::string query, const Identity* identity)
      : method_(std::move(method)),
        path_(std::move(path)),
        query_(std::move(query)),
        identity_(identity) {}
  std::string_view method() const override { return method_; }
  std::string_view path() const override { return path_; }
  std::string_view query() const override { return query_; }
  std::optional<std::string_view> header(std::string_view) const override { return std::nullopt; }
  std::string_view client_address() const override { return "127.0.0.1"; }
  std::string_view request_id() const override { return "test-request"; }
  const Identity* identity() const override { return identity_; }

 private:
  std::string method_, path_, query_;
  const Identity* identity_;
};

// Ids and secrets in the real shapes, numbered so tests can tell them apart.
class CountingCredentials final : public Credentials {
 public:
  NewSecret new_secret() override {
    const unsigned n = ++secrets_;
    char token[64];
    std::snprintf(token, sizeof token, "fth_%038u", n);
    char hash[80];
    std::snprintf(hash, sizeof hash, "%064x", n);
    return {token, hash};
  }
  std::string new_token_id() override {
    char id[32];
    std::snprintf(id, sizeof id, "tok_test%012u", ++ids_);
    return id;
  }

 private:
  std::atomic<unsigned> secrets_{0};
  std::atomic<unsigned> ids_{0};
};

struct LogLine {
  LogLevel level;
  std::string event;
  std::string message;
};

struct Answer {
  Response response;
  Json body;

  std::string header(std::string_view name) const {
    for (const auto& [n, v] : response.headers) {
      if (n == name) return v;
    }
    return {};
  }
};

inline std::filesystem::path make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "fathom-admin-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

class RouteHarness : public ::testing::Test {
 protected:
  RouteHarness()
      : dir_(make_temp_dir()),
        store_(std::make_unique<store::FileStore>(
            dir_ / "store", "test-key-fingerprint",
            store::FileStoreOptions{.sync =
                                        [this](int fd) {
                                          if (!fail_sync_) return ::fdatasync(fd);
                                          errno = EIO;
                                          return -1;
                                        }})),
        routes_(std::make_unique<TokenRoutes>(
            *store_, credentials_, [this] { return now_.load(); },
            [this](LogLevel level, std::string_view event, std::string_view message) {
              std::lock_guard lock(log_mutex_);
              log_.push_back({level, std::string(event), std::string(message)});
            })) {
    bootstrap_ = identity_of(seed("bootstrap-admin", {"admin"}));
  }

  ~RouteHarness() override {
    routes_.reset();  // waits for callbacks in flight, before the store they use goes
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Writes a token straight into the store, as bootstrap or another tool would.
  TokenRecord seed(std::string name, std::vector<std::string> scopes,
                   std::optional<UnixTime> expires_at = std::nullopt) {
    NewSecret secret = credentials_.new_secret();
    TokenRecord record;
    record.token_id = credentials_.new_token_id();
    record.secret_hash = secret.secret_hash;
    record.name = std::move(name);
    record.scopes = std::move(scopes);
    record.created_at = now_.load();
    record.expires_at = expires_at;
    std::promise<StoreResult> done;
    store_->create(record, [&](StoreResult r) { done.set_value(std::move(r)); });
    StoreResult result = done.get_future().get();
    EXPECT_EQ(result.status, StoreStatus::ok) << result.message;
    return record;
  }

  static Identity identity_of(const TokenRecord& record) {
    return {record.token_id, record.name, record.scopes};
  }
  Identity identity_of(const Json& token) {
    return {token["token_id"], token["name"], token["scopes"].get<std::vector<std::string>>()};
  }

  Answer call(const Identity* who, std::string method, std::string path, std::string body = "",
              std::string query = "") {
    TestRequest request(std::move(method), std::move(path), std::move(query), who);
    auto responder = std::make_shared<CapturingResponder>();
    routes_->handle(request, body, responder);
    Answer answer{responder->wait(), {}};
    EXPECT_EQ(responder->calls(), 1);
    EXPECT_EQ(answer.response.content_type, "application/json");
    answer.body = Json::parse(answer.response.body, nullptr, false);
    EXPECT_FALSE(answer.body.is_discarded()) << answer.response.body;
    return answer;
  }
  Answer call(const Identity& who, std::string method, std::string path, std::string body = "",
              std::string query = "") {
    return call(&who, std::move(method), std::move(path), std::move(body), std::move(query));
  }

  // Mints through the route as the bootstrap admin; the 201 body.
  Json mint(const std::string& body) {
    Answer a = call(bootstrap_, "POST", "/v1/tokens", body);
    EXPECT_EQ(a.response.status, 201) << a.response.body;
    return a.body;
  }

  std::vector<LogLine> log() {
    std::lock_guard lock(log_mutex_);
    return log_;
  }

  std::filesystem::path dir_;
  // Set to make the store's next sync fail: its writer stops and answers unavailable from then on.
  std::atomic<bool> fail_sync_{false};
  CountingCredentials credentials_;
  std::atomic<UnixTime> now_{kStart};
  std::unique_ptr<store::FileStore> store_;
  std::mutex log_mutex_;
  std::vector<LogLine> log_;
  std::unique_ptr<TokenRoutes> routes_;
  Identity bootstrap_;
};

// The error body's shape, and its code.
inline void expect_error(const Answer& a, int status, const std::string& code) {
  EXPECT_EQ(a.response.status, status) << a.response.body;
  EXPECT_EQ(a.body.value("error", ""), code) << a.response.body;
  ASSERT_TRUE(a.body.contains("message")) << a.response.body;
  EXPECT_FALSE(a.body["message"].get<std::string>().empty());
  EXPECT_EQ(a.body.size(), 2u) << a.response.body;
}

}  // namespace fathom::admin::testing
