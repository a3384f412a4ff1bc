#include "ops/sd_notify.h"

#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "ops/log.h"

namespace fathom::sd {
namespace {

// A positive decimal number with nothing around it; nullopt otherwise.
std::optional<unsigned long long> positive_decimal(std::string_view text) {
  unsigned long long v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || v == 0) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

std::optional<NotifyAddress> parse_notify_socket(std::string_view value) {
  if (value.empty()) return std::nullopt;
  NotifyAddress a;
  a.addr.sun_family = AF_UNIX;
  if (value[0] == '@') {
    // Abstract namespace: a leading NUL, and the length says where the name ends.
    std::string_view name = value.substr(1);
    if (name.empty() || name.size() + 1 > sizeof a.addr.sun_path) {
      throw std::invalid_argument("NOTIFY_SOCKET: an abstract name must have 1 to " +
                                  std::to_string(sizeof a.addr.sun_path - 1) + " characters");
    }
    a.addr.sun_path[0] = '\0';
    std::memcpy(a.addr.sun_path + 1, name.data(), name.size());
    a.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    return a;
  }
  if (value[0] != '/') {
    throw std::invalid_argument(
        "NOTIFY_SOCKET: expected an absolute path or @name (vsock is not supported)");
  }
  if (value.size() + 1 > sizeof a.addr.sun_path) {
    throw std::invalid_argument("NOTIFY_SOCKET: the path is longer than " +
                                std::to_string(sizeof a.addr.sun_path - 1) + " bytes");
  }
  std::memcpy(a.addr.sun_path, value.data(), value.size());
  a.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + value.size() + 1);
  return a;
}

std::optional<std::chrono::microseconds> parse_watchdog(const char* usec, const char* pid,
                                                        pid_t self) {
  if (usec == nullptr || *usec == '\0') return std::nullopt;
  auto interval = positive_decimal(usec);
  if (!interval) {
    throw std::invalid_argument("WATCHDOG_USEC: expected a positive number of microseconds");
  }
  if (pid != nullptr && *pid != '\0') {
    auto owner = positive_decimal(pid);
    if (!owner) throw std::invalid_argument("WATCHDOG_PID: expected a process id");
    if (*owner != static_cast<unsigned long long>(self)) return std::nullopt;
  }
  return std::chrono::microseconds(*interval);
}

std::string reloading_message() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  long long usec = static_cast<long long>(ts.tv_sec) * 1000000LL + ts.tv_nsec / 1000;
  return "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec);
}

Notifier Notifier::from_environment() {
  const char* value = std::getenv("NOTIFY_SOCKET");
  if (value == nullptr) return Notifier();
  try {
    return Notifier(parse_notify_socket(value));
  } catch (const std::invalid_argument& e) {
    log::warn("notify_socket_ignored", {{"message", e.what()}});
    return Notifier();
  }
}

Notifier::Notifier(std::optional<NotifyAddress> address) {
  if (!address) return;
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    log::warn("notify_socket_failed", {{"error", std::strerror(errno)}});
    return;
  }
  address_ = *address;
}

Notifier::~Notifier() {
  if (fd_ >= 0) ::close(fd_);
}

Notifier::Notifier(Notifier&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), address_(other.address_) {}

Notifier& Notifier::operator=(Notifier&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    address_ = other.address_;
  }
  return *this;
}

void Notifier::send(std::string_view message) const {
  if (fd_ < 0) return;
  ssize_t n;
  do {
    n = ::sendto(fd_, message.data(), message.size(), MSG_NOSIGNAL,
                 reinterpret_cast<const sockaddr*>(&address_.addr), address_.length);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    std::string_view first = message.substr(0, message.find('\n'));
    log::warn("notify_failed", {{"message", first}, {"error", std::strerror(errno)}});
  }
}

std::optional<std::chrono::microseconds> watchdog_from_environment() {
  std::optional<std::chrono::microseconds> interval;
  try {
    interval = parse_watchdog(std::getenv("WATCHDOG_USEC"), std::getenv("WATCHDOG_PID"), getpid());
  } catch (const std::invalid_argument& e) {
    log::warn("watchdog_ignored", {{"message", e.what()}});
  }
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
  return interval;
}

}  // namespace fathom::sd
