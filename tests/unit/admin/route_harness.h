// Drives admin/admin_routes.cpp the way the daemon does, against a real FileStore and a real
// FileAuditLog in a temporary directory: a Request with an identity, a Responder that captures the
// one answer (which may come from the store's or the log's writer thread), a clock the test
// moves, the log lines written, and a counting stand-in for the daemon's failure limiter (the
// limiter itself is tested with the daemon's auth code).
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

#include "admin_routes.h"
#include "audit/file_audit_log.h"
#include "failure_limit.h"
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
  TestRequest(std::string method, std::string path, std::string query, const Identity* identity,
              std::string client = "127.0.0.1", std::string user_agent = "admin-test/1.0")
      : method_(std::move(method)),
        path_(std::move(path)),
        query_(std::move(query)),
        identity_(identity),
        client_(std::move(client)),
        user_agent_(std::move(user_agent)) {}
  std::string_view method() const override { return method_; }
  std::string_view path() const override { return path_; }
  std::string_view query() const override { return query_; }
  std::optional<std::string_view> header(std::string_view name) const override {
    if (name == "User-Agent" && !user_agent_.empty()) return user_agent_;
    return std::nullopt;
  }
  std::string_view client_address() const override { return client_; }
  std::string_view request_id() const override { return "test-request"; }
  const Identity* identity() const override { return identity_; }

 private:
  std::string method_, path_, query_;
  const Identity* identity_;
  std::string client_, user_agent_;
};

// Counts wrong pair codes per client address; `wait` is what retry_after() answers.
class CountingLimit final : public FailureLimit {
 public:
  int retry_after(std::string_view) override { return wait.load(); }
  void count_failure(std::string_view client) override {
    std::lock_guard lock(mutex_);
    failures_.emplace_back(client);
  }
  std::vector<std::string> failures() {
    std::lock_guard lock(mutex_);
    return failures_;
  }
  std::atomic<int> wait{0};

 private:
  std::mutex mutex_;
  std::vector<std::string> failures_;
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
  NewSecret new_pair_code() override {
    const unsigned n = ++codes_;
    char code[64];
    std::snprintf(code, sizeof code, "pair_%024u", n);
    return {code, hash_secret(code)};
  }
  std::string new_pair_code_id() override {
    char id[32];
    std::snprintf(id, sizeof id, "pc_test%012u", ++pair_ids_);
    return id;
  }
  // Deterministic and distinct per code: "p" + the code's digits, padded to 64 hex-like chars.
  std::string hash_secret(std::string_view secret) override {
    std::string h(64, '0');
    for (size_t i = 0; i < secret.size() && i < 64; ++i) {
      h[63 - i] =
          "0123456789abcdef"[static_cast<unsigned char>(secret[secret.size() - 1 - i]) % 16];
    }
    return h;
  }

 private:
  std::atomic<unsigned> secrets_{0};
  std::atomic<unsigned> ids_{0};
  std::atomic<unsigned> codes_{0};
  std::atomic<unsigned> pair_ids_{0};
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
        store_(std::make_unique<store::FileStore>(dir_ / "store", "test-key-fingerprint",
                                                  store_options())),
        audit_(std::make_unique<audit::FileAuditLog>(dir_ / "audit", audit_options())),
        routes_(std::make_unique<AdminRoutes>(
            *store_, credentials_, limit_, audit_.get(), [this] { return now_.load(); },
            [this](LogLevel level, std::string_view event, std::string_view message) {
              std::lock_guard lock(log_mutex_);
              log_.push_back({level, std::string(event), std::string(message)});
            })) {
    bootstrap_ = identity_of(seed("bootstrap-admin", {"admin"}));
  }

  // Syncs that fail while the test says so: the writer then stops and answers unavailable.
  store::FileStoreOptions store_options() {
    store::FileStoreOptions options;
    options.sync = [this](int fd) { return fail_sync_ ? failed_sync() : ::fdatasync(fd); };
    return options;
  }
  audit::FileAuditLogOptions audit_options() {
    audit::FileAuditLogOptions options;
    options.sync = [this](int fd) { return fail_audit_sync_ ? failed_sync() : ::fdatasync(fd); };
    return options;
  }
  static int failed_sync() {
    errno = EIO;
    return -1;
  }

  ~RouteHarness() override {
    routes_.reset();  // waits for callbacks in flight, before the store and log they use go
    audit_.reset();
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
    return call(TestRequest(std::move(method), std::move(path), std::move(query), who), body);
  }
  Answer call(const TestRequest& request, const std::string& body) {
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

  // Every event of the audit trail, newest first, read through the real log.
  static AuditQuery events_of(std::string token_id = "") {
    AuditQuery query;
    query.token_id = std::move(token_id);
    query.limit = 1000;
    return query;
  }
  std::vector<AuditEvent> events(const AuditQuery& query = events_of()) {
    std::vector<AuditEvent> out;
    audit_->query(query, [&](AuditStatus status, AuditPage page) {
      EXPECT_EQ(status, AuditStatus::ok);
      out = std::move(page.events);
    });
    return out;
  }

  std::vector<LogLine> log() {
    std::lock_guard lock(log_mutex_);
    return log_;
  }

  std::filesystem::path dir_;
  // Set to make the store's next sync fail: its writer stops and answers unavailable from then on.
  std::atomic<bool> fail_sync_{false};
  // The same for the audit log: its writer stops, ready() turns false, durable writes answer false.
  std::atomic<bool> fail_audit_sync_{false};
  CountingCredentials credentials_;
  CountingLimit limit_;
  std::atomic<UnixTime> now_{kStart};
  std::unique_ptr<store::FileStore> store_;
  std::mutex log_mutex_;
  std::vector<LogLine> log_;
  std::unique_ptr<audit::FileAuditLog> audit_;
  std::unique_ptr<AdminRoutes> routes_;
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
