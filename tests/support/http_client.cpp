#include "support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "http/chunked.h"
#include "http/message.h"
#include "http/parser.h"

namespace fathom::test {

namespace {

constexpr size_t kReadChunk = 256 * 1024;

// Waits until fd is ready for `events`; false on timeout.
bool wait_ready(int fd, short events, milliseconds timeout) {
  pollfd p{fd, events, 0};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) left = milliseconds(0);
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll");
  }
}

bool is_reset(int err) {
  return err == ECONNRESET || err == EPIPE;
}

}  // namespace

std::optional<std::string> Response::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (http::iequals(n, name)) return v;
  }
  return std::nullopt;
}

size_t Response::header_count(std::string_view name) const {
  size_t count = 0;
  for (const auto& h : headers) count += http::iequals(h.first, name) ? 1 : 0;
  return count;
}

nlohmann::json Response::json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

std::string Response::status_line() const {
  return std::string(version == http::Version::http10 ? "HTTP/1.0 " : "HTTP/1.1 ") +
         std::to_string(status) + " " + reason;
}

std::optional<HttpConnection> HttpConnection::try_open(uint16_t port, milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
  HttpConnection conn(fd);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    // A reset is a refusal too: a connection that lands in the queue of a listener that is
    // closing (a daemon draining after SIGTERM) is reset rather than refused.
    if (errno == ECONNREFUSED || errno == ECONNRESET) return std::nullopt;
    if (errno != EINPROGRESS) {
      throw std::system_error(errno, std::generic_category(),
                              "connect 127.0.0.1:" + std::to_string(port));
    }
    if (!wait_ready(fd, POLLOUT, timeout)) {
      throw std::runtime_error("connect 127.0.0.1:" + std::to_string(port) + " timed out");
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err == ECONNREFUSED || err == ECONNRESET) return std::nullopt;
    if (err != 0) {
      throw std::system_error(err, std::generic_category(),
                              "connect 127.0.0.1:" + std::to_string(port));
    }
  }
  return conn;
}

HttpConnection HttpConnection::open(uint16_t port, milliseconds timeout) {
  std::optional<HttpConnection> conn = try_open(port, timeout);
  if (!conn) throw std::runtime_error("connect 127.0.0.1:" + std::to_string(port) + ": refused");
  return std::move(*conn);
}

HttpConnection::HttpConnection(int fd) : fd_(fd) {}

HttpConnection::HttpConnection(HttpConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      buf_(std::move(other.buf_)),
      begin_(std::exchange(other.begin_, 0)),
      end_(std::exchange(other.end_, 0)) {}

HttpConnection& HttpConnection::operator=(HttpConnection&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    buf_ = std::move(other.buf_);
    begin_ = std::exchange(other.begin_, 0);
    end_ = std::exchange(other.end_, 0);
  }
  return *this;
}

HttpConnection::~HttpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

void HttpConnection::send_all(std::string_view bytes, milliseconds timeout) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_ready(fd_, POLLOUT, timeout)) {
        throw std::runtime_error("send: the peer took nothing for " +
                                 std::to_string(timeout.count()) + " ms");
      }
      continue;
    }
    throw std::system_error(errno, std::generic_category(), "send");
  }
}

bool HttpConnection::send_tolerant(std::string_view bytes, milliseconds timeout) {
  try {
    send_all(bytes, timeout);
    return true;
  } catch (const std::system_error& e) {
    if (is_reset(e.code().value())) return false;
    throw;
  }
}

void HttpConnection::shutdown_write() {
  ::shutdown(fd_, SHUT_WR);
}

void HttpConnection::consume(size_t n) {
  begin_ += n;
  if (begin_ == end_) begin_ = end_ = 0;
}

size_t HttpConnection::fill(milliseconds timeout) {
  if (buf_.size() - end_ < kReadChunk) {
    // Move unread bytes to the front before growing, so a long transfer reuses one buffer.
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (buf_.size() - end_ < kReadChunk) buf_.resize(end_ + kReadChunk);
  }
  for (;;) {
    ssize_t n = ::recv(fd_, buf_.data() + end_, buf_.size() - end_, 0);
    if (n >= 0) {
      end_ += static_cast<size_t>(n);
      return static_cast<size_t>(n);
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_ready(fd_, POLLIN, timeout)) {
        throw std::runtime_error("recv: nothing arrived for " + std::to_string(timeout.count()) +
                                 " ms; unread so far: " + std::to_string(end_ - begin_) + " bytes");
      }
      continue;
    }
    if (errno == ECONNRESET) return 0;  // treated as the end: what came before is still read
    throw std::system_error(errno, std::generic_category(), "recv");
  }
}

Response HttpConnection::read_head(std::string_view method, milliseconds timeout) {
  http::HeadLimits limits;
  for (;;) {
    http::ResponseHead head;
    http::ParseResult r = http::parse_response_head(unread(), limits, method, head);
    if (r.status == http::ParseStatus::done) {
      Response out;
      out.version = head.version;
      out.status = head.status;
      out.reason = std::string(head.reason);
      for (const http::Header& h : head.headers) out.headers.emplace_back(h.name, h.value);
      out.framing = head.framing;
      out.content_length = head.content_length;
      out.keep_alive = head.keep_alive;
      consume(r.consumed);
      return out;
    }
    if (r.status == http::ParseStatus::refused) {
      throw std::runtime_error("the response head was refused by the parser (" +
                               std::string(http::name(r.refusal)) +
                               "): " + std::string(unread().substr(0, 512)));
    }
    if (fill(timeout) == 0) {
      throw std::runtime_error("connection closed before a complete response head; got: \"" +
                               std::string(unread().substr(0, 512)) + "\"");
    }
  }
}

void HttpConnection::read_body(const Response& head,
                               const std::function<void(std::string_view)>& sink,
                               milliseconds timeout) {
  switch (head.framing) {
    case http::Framing::none:
      return;
    case http::Framing::content_length: {
      uint64_t left = head.content_length;
      while (left > 0) {
        if (end_ == begin_ && fill(timeout) == 0) {
          throw std::runtime_error("connection closed with " + std::to_string(left) +
                                   " body bytes missing");
        }
        size_t n = static_cast<size_t>(std::min<uint64_t>(left, end_ - begin_));
        sink(unread().substr(0, n));
        consume(n);
        left -= n;
      }
      return;
    }
    case http::Framing::chunked: {
      http::ChunkedDecoder decoder;
      for (;;) {
        http::ChunkedDecoder::Step step = decoder.next(unread());
        switch (step.kind) {
          case http::ChunkedDecoder::Kind::need_more:
            if (fill(timeout) == 0) throw std::runtime_error("connection closed mid-chunk");
            break;
          case http::ChunkedDecoder::Kind::framing:
            consume(step.length);
            break;
          case http::ChunkedDecoder::Kind::data:
            sink(unread().substr(0, step.length));
            consume(step.length);
            break;
          case http::ChunkedDecoder::Kind::done:
            consume(step.length);
            return;
          case http::ChunkedDecoder::Kind::refused:
            throw std::runtime_error("bad chunked framing in the response (" +
                                     std::string(http::name(step.refusal)) + ")");
        }
      }
    }
    case http::Framing::until_close:
      for (;;) {
        if (end_ > begin_) {
          sink(unread());
          consume(end_ - begin_);
        }
        if (fill(timeout) == 0) return;
      }
  }
}

Response HttpConnection::read_response(std::string_view method, milliseconds timeout) {
  Response r = read_head(method, timeout);
  read_body(
      r, [&](std::string_view data) { r.body.append(data); }, timeout);
  return r;
}

std::string HttpConnection::read_until_close(milliseconds timeout) {
  while (fill(timeout) > 0) {
  }
  std::string all(unread());
  consume(all.size());
  return all;
}

std::optional<std::string> HttpConnection::read_some(milliseconds timeout) {
  if (end_ == begin_) {
    if (!wait_ready(fd_, POLLIN, timeout)) return std::nullopt;
    fill(timeout);
  }
  std::string out(unread());
  consume(out.size());
  return out;
}

CloseCheck HttpConnection::wait_closed(milliseconds timeout) {
  CloseCheck check;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !wait_ready(fd_, POLLIN, left)) break;
    if (fill(timeout) == 0) {
      check.closed = true;
      break;
    }
  }
  check.extra = std::string(unread());
  consume(check.extra.size());
  return check;
}

bool HttpConnection::quiet_and_open() {
  if (end_ > begin_) return false;
  char c;
  ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

std::string HttpConnection::take_buffered() {
  std::string out(unread());
  consume(out.size());
  return out;
}

std::string request(std::string_view method, std::string_view path, std::string_view headers,
                    std::string_view body) {
  std::string out;
  out.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: localhost\r\n");
  out.append(headers);
  if (!body.empty())
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  out.append("\r\n").append(body);
  return out;
}

Response fetch(uint16_t port, std::string_view method, std::string_view path,
               std::string_view headers, std::string_view body, milliseconds timeout) {
  HttpConnection conn = HttpConnection::open(port, timeout);
  conn.send_all(request(method, path, headers, body), timeout);
  return conn.read_response(method, timeout);
}

}  // namespace fathom::test
