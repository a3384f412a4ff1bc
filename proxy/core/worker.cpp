#include "core/worker.h"

#include <arpa/inet.h>
#include <event2/bufferevent.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "core/client_connection.h"
#include "core/flow.h"
#include "ops/log.h"
#include "tls/tls_bufferevent.h"

namespace fathom {
namespace {

std::string peer_string(const sockaddr* addr) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (addr->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, buf, sizeof buf);
  } else if (addr->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, buf, sizeof buf);
  } else {
    return "unix";
  }
  return buf;
}

}  // namespace

Worker::Worker(unsigned index, RuntimeHolder& runtimes, Services& services)
    : index_(index), runtimes_(runtimes), services_(services) {
  base_ = event_base_new();
  if (base_ == nullptr) throw std::runtime_error("cannot create an event loop");
  runtime_ = runtimes_.load();
  uint64_t seed = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed);
  ids_.seed(seed ^ index);
  accept_pause_ = evtimer_new(base_, on_resume_accept, this);
  log_flush_ = event_new(
      base_, -1, 0, [](evutil_socket_t, short, void*) { log::flush_held(); }, nullptr);
}

void Worker::wake_log_flush(void* arg) {
  event_active(static_cast<Worker*>(arg)->log_flush_, EV_TIMEOUT, 0);
}

Worker::~Worker() {
  join();
  for (evconnlistener* l : listeners_) evconnlistener_free(l);
  while (connections_ != nullptr) connections_->abort();
  pool_.clear();
  if (drain_timer_ != nullptr) event_free(drain_timer_);
  if (heartbeat_timer_ != nullptr) event_free(heartbeat_timer_);
  if (accept_pause_ != nullptr) event_free(accept_pause_);
  if (log_flush_ != nullptr) event_free(log_flush_);
  runtime_.reset();
  event_base_free(base_);
}

void Worker::listen(const std::vector<ListenAddress>& addresses) {
  for (const ListenAddress& a : addresses) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* res = nullptr;
    std::string port = std::to_string(a.port);
    int rc = getaddrinfo(a.host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0) {
      throw std::runtime_error("cannot listen on " + a.host + ":" + port + ": " + gai_strerror(rc));
    }
    // Every worker binds its own socket on the same port; the kernel spreads connections.
    evconnlistener* l = evconnlistener_new_bind(
        base_, on_accept, this,
        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT | LEV_OPT_CLOSE_ON_EXEC,
        1024, res->ai_addr, static_cast<int>(res->ai_addrlen));
    int err = errno;
    freeaddrinfo(res);
    if (l == nullptr) {
      throw std::runtime_error("cannot listen on " + a.host + ":" + port + ": " +
                               std::strerror(err));
    }
    evconnlistener_set_error_cb(l, on_accept_error);
    listeners_.push_back(l);
  }
}

void Worker::adopt(const std::vector<int>& listening_fds) {
  // systemd passes one socket per ListenStream=, not one per worker, so SO_REUSEPORT's spreading
  // is not available: every worker polls its own dup of the same socket. A connection may wake
  // several workers; one accept() wins and the others see EAGAIN, which evconnlistener ignores.
  // At a handful of workers that wake-up costs less than handing accepted fds across threads.
  for (int fd : listening_fds) {
    int own = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (own < 0) {
      throw std::runtime_error("cannot use a passed socket: " + std::string(strerror(errno)));
    }
    // Backlog 0: the socket already listens; systemd chose its backlog (Backlog= in the .socket).
    evconnlistener* l = evconnlistener_new(base_, on_accept, this,
                                           LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, own);
    if (l == nullptr) {
      ::close(own);
      throw std::runtime_error("cannot accept on a passed socket");
    }
    evconnlistener_set_error_cb(l, on_accept_error);
    listeners_.push_back(l);
  }
}

void Worker::beat_every(std::chrono::microseconds interval) {
  heartbeat_timer_ = event_new(
      base_, -1, EV_PERSIST,
      [](evutil_socket_t, short, void* arg) {
        static_cast<Worker*>(arg)->heartbeat_.fetch_add(1, std::memory_order_relaxed);
      },
      this);
  timeval tv{static_cast<time_t>(interval.count() / 1000000),
             static_cast<suseconds_t>(interval.count() % 1000000)};
  event_add(heartbeat_timer_, &tv);
}

void Worker::start() {
  thread_ = std::thread([this] {
    log::hold_lines(wake_log_flush, this);
    event_base_loop(base_, EVLOOP_NO_EXIT_ON_EMPTY);
    log::hold_lines(nullptr, nullptr);  // writes what the last turn held
  });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::post(std::function<void()> fn) {
  auto* heap = new std::function<void()>(std::move(fn));
  timeval now{0, 0};
  event_base_once(
      base_, -1, EV_TIMEOUT,
      [](evutil_socket_t, short, void* arg) {
        std::unique_ptr<std::function<void()>> f(static_cast<std::function<void()>*>(arg));
        (*f)();
      },
      heap, &now);
}

void Worker::drain(std::chrono::milliseconds deadline) {
  post([this, deadline] {
    drain_deadline_ = deadline;
    begin_drain();
  });
}

const std::shared_ptr<const Runtime>& Worker::runtime() {
  if (runtimes_.generation() != runtime_->generation) runtime_ = runtimes_.load();
  return runtime_;
}

void Worker::new_request_id(std::string& out) {
  // Not a secret, only unique: a fast generator seeded from OpenSSL is enough.
  static const char kHex[] = "0123456789abcdef";
  uint64_t a = ids_(), b = ids_();
  out.resize(32);
  for (int i = 0; i < 16; ++i) {
    out[i] = kHex[(a >> (i * 4)) & 15];
    out[16 + i] = kHex[(b >> (i * 4)) & 15];
  }
}

void Worker::on_accept(evconnlistener*, evutil_socket_t fd, sockaddr* addr, int len, void* arg) {
  static_cast<Worker*>(arg)->accept(fd, addr, len);
}

void Worker::accept(evutil_socket_t fd, sockaddr* addr, int) {
  const Runtime& rt = *runtime();
  if (draining_ || connection_count_ >= rt.config.limits.max_connections) {
    evutil_closesocket(fd);
    return;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // The context of the newest runtime: a reload's new certificate applies from the next accept.
  bufferevent* bev = rt.listener_tls != nullptr
                         ? tls::accept_bufferevent(base_, fd, rt.listener_tls.get())
                         : bufferevent_socket_new(base_, fd, BEV_OPT_CLOSE_ON_FREE);
  if (bev == nullptr) {
    evutil_closesocket(fd);
    return;
  }
  auto* c = new ClientConnection(*this, bev, peer_string(addr));
  c->next = connections_;
  if (connections_ != nullptr) connections_->prev = c;
  connections_ = c;
  ++connection_count_;
  metrics_.open_connections.inc();
  c->start();
}

void Worker::on_accept_error(evconnlistener* l, void* arg) {
  auto* self = static_cast<Worker*>(arg);
  int err = EVUTIL_SOCKET_ERROR();
  log::warn("accept_failed", {{"worker", self->index_}, {"error", std::strerror(err)}});
  // Out of descriptors: stop accepting for a moment instead of spinning on the error.
  evconnlistener_disable(l);
  timeval tv{0, 100 * 1000};
  evtimer_add(self->accept_pause_, &tv);
}

void Worker::on_resume_accept(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Worker*>(arg);
  if (self->draining_) return;
  for (evconnlistener* l : self->listeners_) evconnlistener_enable(l);
}

void Worker::connection_closed(ClientConnection* c) {
  if (c->prev != nullptr) c->prev->next = c->next;
  if (c->next != nullptr) c->next->prev = c->prev;
  if (connections_ == c) connections_ = c->next;
  c->prev = c->next = nullptr;
  --connection_count_;
  metrics_.open_connections.dec();
  maybe_finish_drain();
}

void Worker::token_invalidated(const std::string& token_id) {
  for (ClientConnection* c = connections_; c != nullptr;) {
    ClientConnection* next = c->next;
    if (c->token() != nullptr && c->token()->token_id == token_id) c->token_invalidated();
    c = next;
  }
}

void Worker::begin_drain() {
  if (draining_) return;
  draining_ = true;
  for (evconnlistener* l : listeners_) evconnlistener_free(l);
  listeners_.clear();
  pool_.clear();
  drain_timer_ = evtimer_new(
      base_,
      [](evutil_socket_t, short, void* arg) {
        auto* self = static_cast<Worker*>(arg);
        log::warn("drain_deadline",
                  {{"worker", self->index_}, {"connections", self->connection_count_}});
        while (self->connections_ != nullptr) self->connections_->abort();
      },
      this);
  timeval tv = to_timeval(drain_deadline_);
  evtimer_add(drain_timer_, &tv);
  for (ClientConnection* c = connections_; c != nullptr;) {
    ClientConnection* next = c->next;
    c->drain();
    c = next;
  }
  maybe_finish_drain();
}

void Worker::maybe_finish_drain() {
  if (draining_ && connection_count_ == 0) event_base_loopexit(base_, nullptr);
}

}  // namespace fathom
