// Samples a process's VmRSS on a background thread while a transfer runs, keeping the peak, so
// that a short burst of buffering between two reads of the test is still seen.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace fathom::test {

class RssSampler {
 public:
  explicit RssSampler(pid_t pid, std::chrono::milliseconds every = std::chrono::milliseconds(10));
  ~RssSampler();  // stops the thread
  RssSampler(const RssSampler&) = delete;
  RssSampler& operator=(const RssSampler&) = delete;

  long baseline_kb() const { return baseline_kb_; }  // when sampling started
  long peak_kb() const { return peak_kb_.load(); }
  long growth_kb() const { return peak_kb() - baseline_kb_; }
  long samples() const { return samples_.load(); }

 private:
  pid_t pid_;
  long baseline_kb_;
  std::atomic<long> peak_kb_;
  std::atomic<long> samples_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace fathom::test
