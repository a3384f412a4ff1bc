// "test-hang-policy": hangs the worker thread that asks it about one path, so that a test can
// watch what the daemon does while a worker's event loop is stuck (the systemd watchdog must go
// quiet). Built as an outside author would build it: only fathom/plugin.h.
//
// GET /test/hang-worker?until=<absolute file path>: decide() blocks, inside the worker's loop,
// until that file exists (at most kLongestHang, so a test that fails cannot leave a daemon stuck
// for ever), then denies the request. The test releases the worker by creating the file, which
// makes the hang end when the test says rather than after a guessed delay. Every other path
// abstains. Takes no config.

#include <sys/stat.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "fathom/plugin.h"

namespace {

constexpr std::string_view kHangPath = "/test/hang-worker";
constexpr std::string_view kUntilParam = "until=";
constexpr std::chrono::seconds kLongestHang{120};
constexpr std::chrono::milliseconds kPollEvery{10};

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

class HangPolicy final : public fathom::ScopePolicy {
 public:
  explicit HangPolicy(fathom::Host& host) : host_(host) {}

  fathom::PolicyDecision decide(const fathom::Request& request) const override {
    if (request.path() != kHangPath) return fathom::PolicyDecision::abstain();
    std::string_view query = request.query();
    if (!query.starts_with(kUntilParam) || query.size() == kUntilParam.size() ||
        query[kUntilParam.size()] != '/') {
      return fathom::PolicyDecision::deny("test-hang-policy: give until=<absolute file path>");
    }
    const std::string release(query.substr(kUntilParam.size()));
    // warn, not info: a worker writes its info lines once per loop turn, and this turn blocks.
    host_.log(fathom::LogLevel::warn, "test_hang_started", "worker blocked until " + release);
    const auto give_up = std::chrono::steady_clock::now() + kLongestHang;
    bool released = false;
    while (!(released = file_exists(release)) && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(kPollEvery);
    }
    host_.log(fathom::LogLevel::info, "test_hang_ended",
              released ? "released by the test" : "gave up waiting for the release file");
    return fathom::PolicyDecision::deny("test-hang-policy: the worker was held");
  }

 private:
  fathom::Host& host_;
};

class HangPlugin final : public fathom::Plugin {
 public:
  HangPlugin(fathom::Host& host, std::string_view config_json) : policy_(host) {
    if (config_json != "null" && config_json != "{}") {
      throw std::invalid_argument("test-hang-policy takes no config");
    }
  }

  fathom::ScopePolicy* policy() override { return &policy_; }

 private:
  HangPolicy policy_;
};

}  // namespace

FATHOM_PLUGIN("test-hang-policy", HangPlugin)
