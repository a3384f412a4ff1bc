#include "support/tls_front.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace fathom::test {

namespace {

constexpr int kHandshakeTimeoutMs = 10'000;

int connect_backend(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
  if (fd >= 0) ::close(fd);
  return -1;
}

// Waits for `events` on `fd` or for the stop pipe; false when stopping or on error.
bool wait_or_stop(int fd, short events, int stop_fd) {
  pollfd p[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
  for (;;) {
    int n = ::poll(p, 2, kHandshakeTimeoutMs);
    if (n < 0 && errno == EINTR) continue;
    return n > 0 && p[1].revents == 0 && p[0].revents != 0;
  }
}

// Writes everything to a non-blocking plain socket.
bool write_plain(int fd, const char* data, size_t len, int stop_fd) {
  while (len > 0) {
    ssize_t n = ::send(fd, data, len, MSG_NOSIGNAL);
    if (n > 0) {
      data += n;
      len -= static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_or_stop(fd, POLLOUT, stop_fd)) return false;
    } else {
      return false;
    }
  }
  return true;
}

// Writes everything through `ssl` on a non-blocking socket.
bool write_tls(SSL* ssl, int fd, const char* data, size_t len, int stop_fd) {
  while (len > 0) {
    int n = SSL_write(ssl, data, static_cast<int>(len));
    if (n > 0) {
      data += n;
      len -= static_cast<size_t>(n);
      continue;
    }
    int err = SSL_get_error(ssl, n);
    short events = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
    if ((err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) ||
        !wait_or_stop(fd, events, stop_fd)) {
      return false;
    }
  }
  return true;
}

}  // namespace

TlsFront::TlsFront(uint16_t backend_port, const std::string& cert_path, const std::string& key_path)
    : backend_port_(backend_port) {
  ctx_ = SSL_CTX_new(TLS_server_method());
  if (ctx_ == nullptr || SSL_CTX_use_certificate_chain_file(ctx_, cert_path.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx_, key_path.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    throw std::runtime_error("TlsFront: cannot load " + cert_path + " / " + key_path);
  }
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) throw std::runtime_error("TlsFront: pipe failed");
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("TlsFront: cannot listen");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

TlsFront::~TlsFront() {
  char one = 1;
  (void)!::write(stop_pipe_[1], &one, 1);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> relays;
  {
    std::lock_guard lock(mu_);
    relays.swap(relays_);
  }
  for (std::thread& t : relays) t.join();
  ::close(listen_fd_);
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
  SSL_CTX_free(ctx_);
}

void TlsFront::accept_loop() {
  for (;;) {
    pollfd p[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (p[1].revents != 0) return;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;
    std::lock_guard lock(mu_);
    relays_.emplace_back([this, fd] { relay(fd); });
  }
}

void TlsFront::relay(int client_fd) {
  const int stop_fd = stop_pipe_[0];
  SSL* ssl = SSL_new(ctx_);
  SSL_set_fd(ssl, client_fd);
  int backend = -1;
  bool ok = true;
  for (;;) {
    int rc = SSL_accept(ssl);
    if (rc == 1) break;
    int err = SSL_get_error(ssl, rc);
    short events = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
    if ((err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) ||
        !wait_or_stop(client_fd, events, stop_fd)) {
      ok = false;
      break;
    }
  }
  if (!ok) {
    ++failed_handshakes_;
  } else {
    ++handshakes_;
    backend = connect_backend(backend_port_);
    if (backend >= 0) ::fcntl(backend, F_SETFL, ::fcntl(backend, F_GETFL) | O_NONBLOCK);
  }
  char buf[16384];
  while (ok && backend >= 0) {
    // Bytes OpenSSL already decrypted are not visible to poll(): drain them first.
    if (SSL_pending(ssl) == 0) {
      pollfd p[3] = {{client_fd, POLLIN, 0}, {backend, POLLIN, 0}, {stop_fd, POLLIN, 0}};
      if (::poll(p, 3, -1) < 0 && errno != EINTR) break;
      if (p[2].revents != 0) break;
      if (p[1].revents != 0) {
        ssize_t n = ::recv(backend, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) break;
        if (n > 0 && !write_tls(ssl, client_fd, buf, static_cast<size_t>(n), stop_fd)) break;
      }
      if (p[0].revents == 0) continue;
    }
    int n = SSL_read(ssl, buf, sizeof buf);
    if (n > 0) {
      if (!write_plain(backend, buf, static_cast<size_t>(n), stop_fd)) break;
    } else {
      int err = SSL_get_error(ssl, n);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) break;
    }
  }
  if (backend >= 0) ::close(backend);
  SSL_free(ssl);
  ::close(client_fd);
}

}  // namespace fathom::test
