#include "metrics/metrics_server.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "http/parser.h"
#include "http/refusal.h"
#include "http/serialize.h"
#include "metrics/prometheus_text.h"

namespace fathom::metrics {
namespace {

// A scraper sends a short head; anything larger is not one.
constexpr size_t kMaxHead = 8 * 1024;
// Scrapes come one at a time from a few scrapers; more open at once is someone else.
constexpr size_t kMaxConnections = 32;
constexpr timeval kIoTimeout{10, 0};

}  // namespace

struct MetricsServer::Connection {
  MetricsServer* server = nullptr;
  bufferevent* bev = nullptr;
  Connection* prev = nullptr;
  Connection* next = nullptr;
  bool answered = false;
};

MetricsServer::MetricsServer(event_base* base, const ListenAddress& address, Render render)
    : base_(base), render_(std::move(render)) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(address.port);
  const std::string shown =
      "metrics.listen: cannot listen on " +
      (address.host.find(':') != std::string::npos ? "[" + address.host + "]" : address.host) +
      ":" + port + ": ";
  int rc = getaddrinfo(address.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) throw std::runtime_error(shown + gai_strerror(rc));
  // No SO_REUSEPORT: a second daemon on the same address must fail here, not split the scrapes.
  listener_ = evconnlistener_new_bind(
      base_, on_accept, this, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 16,
      res->ai_addr, static_cast<int>(res->ai_addrlen));
  const int err = errno;
  freeaddrinfo(res);
  if (listener_ == nullptr) throw std::runtime_error(shown + std::strerror(err));
}

MetricsServer::~MetricsServer() {
  while (connections_ != nullptr) close(connections_);
  if (listener_ != nullptr) evconnlistener_free(listener_);
}

uint16_t MetricsServer::port() const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(evconnlistener_get_fd(listener_), reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return 0;
  }
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(ss).sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(ss).sin6_port);
  return 0;
}

void MetricsServer::on_accept(evconnlistener*, evutil_socket_t fd, sockaddr*, int, void* arg) {
  auto* self = static_cast<MetricsServer*>(arg);
  if (self->open_ >= kMaxConnections) {
    evutil_closesocket(fd);
    return;
  }
  bufferevent* bev = bufferevent_socket_new(self->base_, fd, BEV_OPT_CLOSE_ON_FREE);
  if (bev == nullptr) {
    evutil_closesocket(fd);
    return;
  }
  auto* c = new Connection{self, bev};
  c->next = self->connections_;
  if (self->connections_ != nullptr) self->connections_->prev = c;
  self->connections_ = c;
  ++self->open_;
  bufferevent_setcb(bev, on_read, on_write, on_event, c);
  bufferevent_set_timeouts(bev, &kIoTimeout, &kIoTimeout);
  bufferevent_enable(bev, EV_READ | EV_WRITE);
}

void MetricsServer::on_read(bufferevent* bev, void* arg) {
  auto* c = static_cast<Connection*>(arg);
  if (!c->answered) {
    c->server->serve(*c);
    return;
  }
  // Whatever follows the request (a body we did not want) is read and dropped: left unread, it
  // would turn our close into a reset that can destroy the answer on its way.
  evbuffer* in = bufferevent_get_input(bev);
  evbuffer_drain(in, evbuffer_get_length(in));
}

void MetricsServer::serve(Connection& c) {
  evbuffer* in = bufferevent_get_input(c.bev);
  const size_t len = std::min(evbuffer_get_length(in), kMaxHead + 1);
  const char* p = reinterpret_cast<const char*>(evbuffer_pullup(in, static_cast<ssize_t>(len)));
  http::HeadLimits limits;
  limits.max_request_line = 2 * 1024;
  limits.max_head_bytes = kMaxHead;
  limits.max_headers = 64;
  http::RequestHead head;
  const http::ParseResult r = http::parse_request_head({p, len}, limits, head);
  if (r.status == http::ParseStatus::need_more) return;
  if (r.status == http::ParseStatus::refused) {
    const http::RefusalInfo info = http::describe(r.refusal);
    answer(c, info.status, "text/plain; charset=utf-8", std::string(info.message) + "\n", true);
    return;
  }
  const bool head_only = head.method == "HEAD";
  if (head.path != "/metrics") {
    answer(c, 404, "text/plain; charset=utf-8",
           "Not found: this listener serves only GET /metrics.\n", !head_only);
    return;
  }
  if (head.method != "GET" && !head_only) {
    answer(c, 405, "text/plain; charset=utf-8", "Use GET for /metrics.\n", true,
           "Allow: GET, HEAD\r\n");
    return;
  }
  const std::string body = render_();
  answer(c, 200, kPrometheusContentType, body, !head_only);
}

void MetricsServer::answer(Connection& c, int status, std::string_view content_type,
                           std::string_view body, bool with_body, std::string_view extra_header) {
  c.answered = true;
  std::string out = "HTTP/1.1 " + std::to_string(status) + " ";
  out += http::reason_phrase(status);
  out += "\r\n";
  http::append_header(out, "Content-Type", content_type);
  http::append_header(out, "Content-Length", std::to_string(body.size()));
  http::append_header(out, "Cache-Control", "no-store");
  http::append_header(out, "Connection", "close");
  out += extra_header;
  out += "\r\n";
  if (with_body) out += body;
  evbuffer_add(bufferevent_get_output(c.bev), out.data(), out.size());
}

void MetricsServer::on_write(bufferevent* bev, void* arg) {
  auto* c = static_cast<Connection*>(arg);
  if (c->answered && evbuffer_get_length(bufferevent_get_output(bev)) == 0) c->server->close(c);
}

void MetricsServer::on_event(bufferevent* bev, short what, void* arg) {
  auto* c = static_cast<Connection*>(arg);
  // A scraper may half-close once its request is sent: the answer still goes out, and on_write
  // closes when it has.
  if ((what & BEV_EVENT_EOF) && c->answered &&
      evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
    bufferevent_disable(bev, EV_READ);
    return;
  }
  c->server->close(c);  // error, timeout, or EOF with nothing left to say
}

void MetricsServer::close(Connection* c) {
  if (c->prev != nullptr) c->prev->next = c->next;
  if (c->next != nullptr) c->next->prev = c->prev;
  if (connections_ == c) connections_ = c->next;
  --open_;
  bufferevent_free(c->bev);
  delete c;
}

}  // namespace fathom::metrics
