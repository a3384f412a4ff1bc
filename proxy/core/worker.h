// One worker thread: its own event_base, its own SO_REUSEPORT listeners, its own upstream pool.
// Connections never move between workers, so nothing on the data path is shared or locked.
#pragma once

#include <event2/event.h>
#include <event2/listener.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "core/runtime.h"
#include "core/services.h"
#include "core/upstream_pool.h"
#include "metrics/worker_metrics.h"

namespace fathom {

class ClientConnection;

class Worker {
 public:
  Worker(unsigned index, RuntimeHolder& runtimes, Services& services);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Binds the listeners (on the calling thread, so that bind errors surface before start-up is
  // reported), then runs the loop on its own thread.
  void listen(const std::vector<ListenAddress>& addresses);
  // Accepts on sockets that are already listening (systemd's socket activation). Each fd is
  // dup'd, so every worker holds its own and the caller closes the originals.
  void adopt(const std::vector<int>& listening_fds);
  // Bumps heartbeat() every `interval` from the worker's own loop, so the main thread can tell a
  // running loop from a hung one (the systemd watchdog). Call before start().
  void beat_every(std::chrono::microseconds interval);
  uint64_t heartbeat() const { return heartbeat_.load(std::memory_order_relaxed); }
  void start();
  // Thread-safe: asks the worker to stop accepting and finish what is in flight.
  void drain(std::chrono::milliseconds deadline);
  void join();

  // Runs `fn` on the worker's thread. Thread-safe.
  void post(std::function<void()> fn);

  // --- used by connections, on the worker's thread only ---
  event_base* base() const { return base_; }
  unsigned index() const { return index_; }
  // The newest runtime snapshot; cheap unless a reload happened since the last call.
  const std::shared_ptr<const Runtime>& runtime();
  UpstreamPool& upstream_pool() { return pool_; }
  Services& services() { return services_; }
  // Ends the open streams of a token that stopped being valid (on the worker's thread).
  void token_invalidated(const std::string& token_id);
  bool draining() const { return draining_; }
  void connection_closed(ClientConnection* c);
  // Writes a new 32-hex-character request id into `out`, reusing its capacity.
  void new_request_id(std::string& out);
  size_t open_connections() const { return connection_count_; }
  // Written on the worker's thread only; read by the metrics scrape on the main thread.
  metrics::WorkerMetrics& metrics() { return metrics_; }
  const metrics::WorkerMetrics& metrics() const { return metrics_; }

  // Local request bodies share one budget per worker (limits.max_local_body_bytes): a connection
  // takes bytes before it buffers them and gives them back when its request is done.
  bool take_local_body_bytes(size_t n, size_t limit) {
    if (n > limit || local_body_bytes_ > limit - n) return false;
    local_body_bytes_ += n;
    metrics_.local_body_bytes.set(local_body_bytes_);
    return true;
  }
  void give_back_local_body_bytes(size_t n) {
    local_body_bytes_ -= n;
    metrics_.local_body_bytes.set(local_body_bytes_);
  }

 private:
  static void on_accept(evconnlistener*, evutil_socket_t fd, sockaddr* addr, int len, void* arg);
  static void on_accept_error(evconnlistener*, void* arg);
  static void on_resume_accept(evutil_socket_t, short, void* arg);
  void accept(evutil_socket_t fd, sockaddr* addr, int len);
  void begin_drain();
  void maybe_finish_drain();

  unsigned index_;
  RuntimeHolder& runtimes_;
  Services& services_;
  std::shared_ptr<const Runtime> runtime_;
  event_base* base_ = nullptr;
  std::vector<evconnlistener*> listeners_;
  // Owned; a connection deletes itself on close and unlinks itself through connection_closed().
  ClientConnection* connections_ = nullptr;
  size_t connection_count_ = 0;
  event* accept_pause_ = nullptr;
  // Writes the loop turn's held log lines (log::hold_lines): one write(2) per turn, not one per
  // request. Activated by the first line held; runs after the turn's ready callbacks.
  event* log_flush_ = nullptr;
  static void wake_log_flush(void* arg);
  event* heartbeat_timer_ = nullptr;
  std::atomic<uint64_t> heartbeat_{0};
  UpstreamPool pool_;
  std::thread thread_;
  bool draining_ = false;
  event* drain_timer_ = nullptr;
  std::chrono::milliseconds drain_deadline_{0};
  std::mt19937_64 ids_;
  metrics::WorkerMetrics metrics_;
  size_t local_body_bytes_ = 0;
};

}  // namespace fathom
