#include "cli/admin_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <vector>

#include "cli/cli_error.h"
#include "cli/exit_codes.h"
#include "cli/socket_wait.h"
#include "cli/tls_session.h"
#include "http/chunked.h"
#include "http/parser.h"

namespace fathom::cli {

namespace {

constexpr size_t kMaxBody = size_t{64} << 20;  // far above any admin answer; a bound all the same

[[noreturn]] void bad_url(std::string_view text, const std::string& why) {
  throw CliError(kExitLocal, "--url " + std::string(text) + ": " + why);
}

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

ServerUrl parse_server_url(std::string_view text) {
  while (text.ends_with('/')) text.remove_suffix(1);
  ServerUrl url;
  url.text = std::string(text);
  url.tls = text.starts_with("https://");
  if (!url.tls && !text.starts_with("http://"))
    bad_url(text, "must start with http:// or https://");
  std::string_view authority = text.substr(url.tls ? 8 : 7);
  if (authority.find_first_of("/?#") != std::string_view::npos) {
    bad_url(text, "must be http[s]://host[:port] with no path: the CLI adds the API paths itself");
  }
  if (authority.find('@') != std::string_view::npos) {
    bad_url(text, "must not hold credentials; use FATHOM_ADMIN_TOKEN or --token-file");
  }
  std::string_view host = authority;
  std::string_view port = url.tls ? "443" : "80";
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) bad_url(text, "unclosed '[' in the IPv6 address");
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) bad_url(text, "expected ':' after the IPv6 address");
      port = rest.substr(1);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) bad_url(text, "no host");
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string_view::npos ||
      std::stoi(std::string(port)) == 0 || std::stoi(std::string(port)) > 65535) {
    bad_url(text, "the port must be a number from 1 to 65535");
  }
  url.host = std::string(host);
  url.port = std::string(port);
  url.host_header = std::string(authority);
  return url;
}

bool is_loopback_host(std::string_view host) {
  constexpr std::string_view kLocalhost = "localhost";
  if (host.size() == kLocalhost.size() &&
      std::equal(host.begin(), host.end(), kLocalhost.begin(),
                 [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; })) {
    return true;
  }
  const std::string text(host);
  in_addr v4{};
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
  }
  return false;
}

AdminClient::AdminClient(ServerUrl url, std::string bearer, ClientTimeouts timeouts)
    : url_(std::move(url)), bearer_(std::move(bearer)), timeouts_(timeouts) {}

HttpReply AdminClient::send(std::string_view method, std::string_view path,
                            const std::optional<std::string>& json_body) const {
  const std::string where = url_.text;
  auto unreachable = [&](const std::string& why) -> CliError {
    return CliError(kExitUnreachable, "cannot talk to " + where + ": " + why);
  };

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(url_.host.c_str(), url_.port.c_str(), &hints, &found); rc != 0) {
    throw CliError(kExitUnreachable,
                   "cannot resolve " + url_.host + " (from " + where + "): " + gai_strerror(rc));
  }
  int fd = -1;
  std::string connect_error = "no address";
  for (addrinfo* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
    int s =
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (s < 0) continue;
    int rc = ::connect(s, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      if (!wait_for(s, POLLOUT, timeouts_.connect)) {
        connect_error =
            "no answer within " + std::to_string(timeouts_.connect.count() / 1000) + " s";
        ::close(s);
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc != 0) {
      connect_error = std::strerror(errno);
      ::close(s);
      continue;
    }
    fd = s;
  }
  ::freeaddrinfo(found);
  if (fd < 0) {
    throw CliError(kExitUnreachable, "cannot connect to " + where + ": " + connect_error +
                                         "; is fathom-auth running and listening there?");
  }
  Socket sock(fd);
  std::optional<TlsSession> tls;
  if (url_.tls) tls.emplace(fd, url_.host, url_.ca_file, timeouts_.io, where);

  std::string request = std::string(method) + " " + std::string(path) +
                        " HTTP/1.1\r\nHost: " + url_.host_header +
                        "\r\nUser-Agent: fathom-auth-cli\r\nAccept: application/json\r\n"
                        "Connection: close\r\n";
  if (!bearer_.empty()) request += "Authorization: Bearer " + bearer_ + "\r\n";
  if (json_body) {
    request +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(json_body->size()) +
        "\r\n\r\n" + *json_body;
  } else {
    request += "\r\n";
  }
  if (tls) tls->write_all(request, timeouts_.io);
  for (size_t sent = tls ? request.size() : 0; sent < request.size();) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_for(fd, POLLOUT, timeouts_.io)) throw unreachable("timed out sending the request");
    } else {
      throw unreachable(std::string("sending the request failed: ") + std::strerror(errno));
    }
  }

  std::string buf;
  bool eof = false;
  // Reads more bytes into `buf`; false at EOF.
  auto fill = [&]() -> bool {
    if (eof) return false;
    char chunk[16384];
    if (tls) {
      const size_t n = tls->read_some(chunk, sizeof chunk, timeouts_.io);
      buf.append(chunk, n);
      eof = n == 0;
      return !eof;
    }
    for (;;) {
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n > 0) {
        buf.append(chunk, static_cast<size_t>(n));
        return true;
      }
      if (n == 0) {
        eof = true;
        return false;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN)
        throw unreachable(std::string("reading failed: ") + std::strerror(errno));
      if (!wait_for(fd, POLLIN, timeouts_.io)) {
        throw unreachable("no answer within " + std::to_string(timeouts_.io.count() / 1000) + " s");
      }
    }
  };

  http::HeadLimits limits;
  http::ResponseHead head;
  size_t head_len = 0;
  for (;;) {
    http::ParseResult r = http::parse_response_head(buf, limits, method, head);
    if (r.status == http::ParseStatus::refused) throw unreachable("the answer is not valid HTTP");
    if (r.status == http::ParseStatus::done) {
      if (head.status >= 100 && head.status < 200) {  // an interim answer: the real one follows
        buf.erase(0, r.consumed);
        continue;
      }
      head_len = r.consumed;
      break;
    }
    if (!fill()) throw unreachable("the connection closed before an answer arrived");
  }

  HttpReply reply;
  reply.status = head.status;
  if (const http::Header* ct = head.find("Content-Type"))
    reply.content_type = std::string(ct->value);
  std::string rest = buf.substr(head_len);
  buf.clear();
  auto too_big = [&](size_t n) {
    if (n > kMaxBody) throw unreachable("the answer is larger than 64 MiB");
  };
  switch (head.framing) {
    case http::Framing::none:
      break;
    case http::Framing::content_length:
      too_big(head.content_length);
      buf = std::move(rest);
      while (buf.size() < head.content_length) {
        if (!fill()) throw unreachable("the connection closed in the middle of the answer");
      }
      reply.body = buf.substr(0, head.content_length);
      break;
    case http::Framing::until_close:
      buf = std::move(rest);
      while (fill()) too_big(buf.size());
      reply.body = std::move(buf);
      break;
    case http::Framing::chunked: {
      http::ChunkedDecoder decoder;
      buf = std::move(rest);
      size_t at = 0;
      while (!decoder.finished()) {
        http::ChunkedDecoder::Step step = decoder.next(std::string_view(buf).substr(at));
        switch (step.kind) {
          case http::ChunkedDecoder::Kind::need_more:
            if (!fill()) throw unreachable("the connection closed in the middle of the answer");
            break;
          case http::ChunkedDecoder::Kind::refused:
            throw unreachable("the answer's chunked body is malformed");
          case http::ChunkedDecoder::Kind::data:
            reply.body.append(buf, at, step.length);
            too_big(reply.body.size());
            at += step.length;
            break;
          case http::ChunkedDecoder::Kind::framing:
          case http::ChunkedDecoder::Kind::done:
            at += step.length;
            break;
        }
        if (at > 65536) {  // keep the unread part small
          buf.erase(0, at);
          at = 0;
        }
      }
      break;
    }
  }
  return reply;
}

}  // namespace fathom::cli
