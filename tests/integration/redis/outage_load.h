// Clients that keep using tokens through a proxy while a test breaks its Redis: one thread per
// token, each request on a fresh connection with a bound on the wait, so that a proxy that hangs
// shows up as an unanswered request instead of hanging the test.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.h"
#include "support/token_api.h"

namespace fathom::test::redis {

using Clock = std::chrono::steady_clock;

// Longer than any answer the store's deadlines allow (connect 2 s, command 1 s): a request not
// answered within it has hung.
inline constexpr std::chrono::milliseconds kNoHang{5000};

struct Sample {
  Clock::time_point sent;
  Clock::time_point answered;
  int status = 0;     // 0: no answer within kNoHang, or the connection failed
  std::string error;  // the body's "error", or what went wrong without an answer
};

class TokenLoad {
 public:
  TokenLoad(uint16_t port, std::vector<std::string> tokens) : tokens_(std::move(tokens)) {
    samples_.resize(tokens_.size());
    for (size_t i = 0; i < tokens_.size(); ++i) {
      threads_.emplace_back([this, port, i] { run(port, tokens_[i], samples_[i]); });
    }
  }
  ~TokenLoad() { stop(); }
  TokenLoad(const TokenLoad&) = delete;
  TokenLoad& operator=(const TokenLoad&) = delete;

  void stop() {
    stop_ = true;
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  // What the client of tokens[i] saw; only after stop().
  const std::vector<Sample>& samples(size_t i) const { return samples_.at(i); }

 private:
  void run(uint16_t port, const std::string& token, std::vector<Sample>& out) {
    const std::string auth = bearer(token);
    while (!stop_.load()) {
      Sample s;
      s.sent = Clock::now();
      try {
        Response r = fetch(port, "GET", "/v1/stats", auth, "", kNoHang);
        s.status = r.status;
        if (r.json().is_object()) s.error = r.json().value("error", "");
      } catch (const std::exception& e) {
        s.error = e.what();
      }
      s.answered = Clock::now();
      out.push_back(std::move(s));
      // Steady pressure without starving the proxy and Redis of the machine's cores.
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  std::vector<std::string> tokens_;
  std::vector<std::vector<Sample>> samples_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;  // last: they use everything above
};

}  // namespace fathom::test::redis
