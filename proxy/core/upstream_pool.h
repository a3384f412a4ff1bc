// Idle keep-alive connections to the upstream, per worker. Last in, first out: the connection
// used most recently is the least likely to have been closed by the upstream meanwhile.
#pragma once

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <sys/socket.h>

#include <chrono>
#include <vector>

namespace fathom {

class UpstreamPool {
 public:
  UpstreamPool() = default;
  ~UpstreamPool();
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;

  // An idle connection to `addr`, with callbacks and timeouts cleared, or nullptr. Reading is
  // still enabled: set the callbacks before the event loop runs again. Idle connections to
  // another address (the upstream changed on reload) are closed.
  bufferevent* take(const sockaddr_storage& addr, socklen_t len);
  // Keeps `bev` for reuse, or frees it when `max_idle` connections are already kept.
  void give_back(bufferevent* bev, const sockaddr_storage& addr, socklen_t len, size_t max_idle,
                 std::chrono::milliseconds idle_timeout);
  void clear();
  size_t size() const { return idle_.size(); }

 private:
  struct Idle {
    bufferevent* bev;
    sockaddr_storage addr;
    socklen_t len;
  };
  static void on_idle_read(bufferevent* bev, void* arg);
  static void on_idle_event(bufferevent* bev, short what, void* arg);
  void drop(bufferevent* bev);

  std::vector<Idle> idle_;
};

}  // namespace fathom
