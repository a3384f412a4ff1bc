// Counts callbacks the store or the audit log still owes a route class, so that its destructor can
// wait for them: the store and the log promise to call every `done`, and a reload must not unload
// the code a pending callback is about to run.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>

namespace fathom::admin {

class PendingCalls {
 public:
  // Held by a callback (captured by value); the count drops when the last copy goes.
  class Hold {
   public:
    explicit Hold(PendingCalls& calls) : calls_(calls) {}
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
    ~Hold() { calls_.release(); }

   private:
    PendingCalls& calls_;
  };

  PendingCalls() = default;
  PendingCalls(const PendingCalls&) = delete;
  PendingCalls& operator=(const PendingCalls&) = delete;
  ~PendingCalls() { wait_idle(); }

  std::shared_ptr<Hold> hold() {
    // Allocate first: if that throws, nothing was counted that no Hold will uncount.
    auto hold = std::make_shared<Hold>(*this);
    std::lock_guard lock(mutex_);
    ++pending_;
    return hold;
  }

  void wait_idle() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return pending_ == 0; });
  }

 private:
  void release() {
    std::lock_guard lock(mutex_);
    if (--pending_ == 0) idle_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable idle_;
  size_t pending_ = 0;
};

}  // namespace fathom::admin
