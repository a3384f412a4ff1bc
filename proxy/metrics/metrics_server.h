// The metrics listener (config `metrics.listen`): plain HTTP on its own address, apart from the
// main listener so that the numbers never pass through authentication or reach the lake, and so
// that a firewall or a loopback bind decides who may read them. It runs on the event loop it is
// given (the daemon's main loop): a scrape is rare and cheap, and never waits on a worker.
//
// GET (or HEAD) /metrics answers 200 with the Prometheus text; other paths 404, other methods
// 405. One request per connection, then it closes: scrapes come seconds apart.
#pragma once

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace fathom::metrics {

class MetricsServer {
 public:
  // Makes the body of a 200 answer, on the loop's thread, once per scrape.
  using Render = std::function<std::string()>;

  // Binds `address` and accepts on `base`. Throws std::runtime_error naming the address when it
  // cannot listen (taken, not a local address).
  MetricsServer(event_base* base, const ListenAddress& address, Render render);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // The port it listens on (the one asked for, or the kernel's choice for port 0).
  uint16_t port() const;

 private:
  struct Connection;
  static void on_accept(evconnlistener*, evutil_socket_t fd, sockaddr*, int, void* arg);
  static void on_read(bufferevent* bev, void* arg);
  static void on_write(bufferevent* bev, void* arg);
  static void on_event(bufferevent* bev, short what, void* arg);
  void serve(Connection& c);
  // Writes the whole response; the connection closes once it has gone out.
  static void answer(Connection& c, int status, std::string_view content_type,
                     std::string_view body, bool with_body, std::string_view extra_header = {});
  void close(Connection* c);

  event_base* base_;
  evconnlistener* listener_ = nullptr;
  Render render_;
  Connection* connections_ = nullptr;  // open ones, freed with the server
  size_t open_ = 0;
};

}  // namespace fathom::metrics
