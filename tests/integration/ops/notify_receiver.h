// The manager's end of systemd's notification protocol, for tests: a unix datagram socket bound
// in a private folder, its path given to the daemon as $NOTIFY_SOCKET.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>

namespace fathom::test {

class NotifyReceiver {
 public:
  explicit NotifyReceiver(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (fd_ < 0 || path_.size() >= sizeof a.sun_path) {
      throw std::runtime_error("NotifyReceiver: cannot create a socket at " + path_);
    }
    std::memcpy(a.sun_path, path_.c_str(), path_.size() + 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      throw std::runtime_error("NotifyReceiver: bind " + path_ + ": " + std::strerror(errno));
    }
  }
  ~NotifyReceiver() { ::close(fd_); }
  NotifyReceiver(const NotifyReceiver&) = delete;
  NotifyReceiver& operator=(const NotifyReceiver&) = delete;

  const std::string& path() const { return path_; }

  // The next datagram, or nullopt if none arrives within `timeout`.
  std::optional<std::string> next(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    pollfd p{fd_, POLLIN, 0};
    int r;
    do {
      r = ::poll(&p, 1, static_cast<int>(timeout.count()));
    } while (r < 0 && errno == EINTR);
    if (r <= 0) return std::nullopt;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
  }

  // The next datagram that is not a watchdog ping (those arrive at any moment).
  std::optional<std::string> next_state(
      std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      std::optional<std::string> m = next(left);
      if (!m || *m != "WATCHDOG=1") return m;
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace fathom::test
