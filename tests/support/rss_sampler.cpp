#include "support/rss_sampler.h"

#include "support/proc_status.h"

namespace fathom::test {

RssSampler::RssSampler(pid_t pid, std::chrono::milliseconds every)
    : pid_(pid), baseline_kb_(rss_kb(pid)), peak_kb_(baseline_kb_) {
  thread_ = std::thread([this, every] {
    while (!stop_.load()) {
      long now = rss_kb(pid_);
      if (now > peak_kb_.load()) peak_kb_.store(now);
      samples_.fetch_add(1);
      std::this_thread::sleep_for(every);
    }
  });
}

RssSampler::~RssSampler() {
  stop_.store(true);
  thread_.join();
}

}  // namespace fathom::test
