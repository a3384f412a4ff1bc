// fathom-lake: the demo and test upstream that fathom-auth forwards to.
//
//   fathom-lake --listen HOST:PORT [--record FILE] [--quiet]
//
// Prints "listening HOST:PORT" once bound (port 0 picks a free one, and this line is how tests
// learn it), serves until SIGTERM or SIGINT, then exits 0. One thread, one libevent loop.
#include <arpa/inet.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "lake_connection.h"
#include "lake_server.h"

namespace {

using fathom::lake::LakeConnection;
using fathom::lake::LakeServer;

struct Options {
  std::string listen = "127.0.0.1:8202";
  std::string record;
  bool quiet = false;
};

void usage(std::FILE* to) {
  std::fputs(
      "usage: fathom-lake --listen HOST:PORT [--record FILE] [--quiet]\n"
      "  --listen HOST:PORT  address to serve on (default 127.0.0.1:8202; port 0 picks one)\n"
      "  --record FILE       append one JSON line per request head received\n"
      "  --quiet             no per-request log lines on stderr\n",
      to);
}

// 0: parsed; 1: bad usage; 2: --help.
int parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (arg == "--listen") {
      if (!value(options.listen)) return 1;
    } else if (arg == "--record") {
      if (!value(options.record)) return 1;
    } else if (arg == "--quiet") {
      options.quiet = true;
    } else if (arg == "--help" || arg == "-h") {
      return 2;
    } else {
      std::fprintf(stderr, "fathom-lake: unknown argument %s\n", argv[i]);
      return 1;
    }
  }
  return 0;
}

// HOST:PORT or [IPv6]:PORT. Not evutil_parse_sockaddr_port: it refuses port 0, which tests use.
bool resolve_listen(const std::string& listen, sockaddr_storage& out, socklen_t& out_len) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) return false;
  std::string host = listen.substr(0, colon);
  std::string port = listen.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* result = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &result) != 0 || result == nullptr) {
    return false;
  }
  std::memcpy(&out, result->ai_addr, result->ai_addrlen);
  out_len = result->ai_addrlen;
  freeaddrinfo(result);
  return true;
}

std::string describe_address(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  if (ss.ss_family == AF_INET) {
    const auto& sin = reinterpret_cast<const sockaddr_in&>(ss);
    inet_ntop(AF_INET, &sin.sin_addr, host, sizeof host);
    port = ntohs(sin.sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  const auto& sin6 = reinterpret_cast<const sockaddr_in6&>(ss);
  inet_ntop(AF_INET6, &sin6.sin6_addr, host, sizeof host);
  port = ntohs(sin6.sin6_port);
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

void on_accept(evconnlistener* /*listener*/, evutil_socket_t fd, sockaddr* /*addr*/,
               int /*socklen*/, void* server) {
  LakeConnection::accept(*static_cast<LakeServer*>(server), fd);
}

void on_accept_error(evconnlistener* /*listener*/, void* /*server*/) {
  // Typically EMFILE: the listener keeps going, and so does every open connection.
  std::fprintf(stderr, "fathom-lake: accept failed: %s\n",
               evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

void on_signal(evutil_socket_t /*sig*/, short /*what*/, void* base) {
  event_base_loopbreak(static_cast<event_base*>(base));
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (int rc = parse_options(argc, argv, options); rc != 0) {
    usage(rc == 2 ? stdout : stderr);
    return rc == 2 ? 0 : 2;
  }
  // A client that goes away mid-response must cost an EPIPE, not the process.
  std::signal(SIGPIPE, SIG_IGN);

  sockaddr_storage bind_addr{};
  socklen_t bind_len = 0;
  if (!resolve_listen(options.listen, bind_addr, bind_len)) {
    std::fprintf(stderr, "fathom-lake: --listen %s is not HOST:PORT\n", options.listen.c_str());
    return 2;
  }

  LakeServer server;
  server.quiet = options.quiet;
  if (!options.record.empty()) {
    std::string error;
    server.recorder = fathom::lake::RequestRecorder::open(options.record, error);
    if (!server.recorder) {
      std::fprintf(stderr, "fathom-lake: %s\n", error.c_str());
      return 1;
    }
  }

  server.base = event_base_new();
  if (server.base == nullptr) {
    std::fprintf(stderr, "fathom-lake: cannot create the event loop\n");
    return 1;
  }
  evconnlistener* listener =
      evconnlistener_new_bind(server.base, on_accept, &server,
                              LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
                              1024, reinterpret_cast<sockaddr*>(&bind_addr), bind_len);
  if (listener == nullptr) {
    std::fprintf(stderr, "fathom-lake: cannot listen on %s: %s\n", options.listen.c_str(),
                 std::strerror(errno));
    event_base_free(server.base);
    return 1;
  }
  evconnlistener_set_error_cb(listener, on_accept_error);

  sockaddr_storage bound{};
  socklen_t bound_len = sizeof bound;
  getsockname(evconnlistener_get_fd(listener), reinterpret_cast<sockaddr*>(&bound), &bound_len);
  std::printf("listening %s\n", describe_address(bound).c_str());
  std::fflush(stdout);

  event* sigterm = evsignal_new(server.base, SIGTERM, on_signal, server.base);
  event* sigint = evsignal_new(server.base, SIGINT, on_signal, server.base);
  evsignal_add(sigterm, nullptr);
  evsignal_add(sigint, nullptr);

  event_base_dispatch(server.base);

  LakeConnection::close_all(server);
  evconnlistener_free(listener);
  event_free(sigterm);
  event_free(sigint);
  event_base_free(server.base);
  return 0;
}
