// systemd's notification protocol without libsystemd: READY=1, RELOADING=1, STOPPING=1, STATUS=
// and WATCHDOG=1 as datagrams to the unix socket named by $NOTIFY_SOCKET. Outside systemd (no
// $NOTIFY_SOCKET) every call is a no-op, so the daemon runs the same in a terminal.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace fathom::sd {

struct NotifyAddress {
  sockaddr_un addr{};
  socklen_t length = 0;
};

// $NOTIFY_SOCKET's value as a unix socket address: an absolute path, or "@name" for the abstract
// namespace. nullopt for an empty value; throws std::invalid_argument naming the problem for
// anything else (a relative path, a vsock address, a name longer than sun_path).
std::optional<NotifyAddress> parse_notify_socket(std::string_view value);

// The watchdog interval systemd asks for, from $WATCHDOG_USEC and $WATCHDOG_PID: nullopt when
// there is none, or when WATCHDOG_PID names another process (the ping is not ours to send).
// Throws std::invalid_argument for a value that is not a positive decimal number.
std::optional<std::chrono::microseconds> parse_watchdog(const char* usec, const char* pid,
                                                        pid_t self);

// "RELOADING=1\nMONOTONIC_USEC=<now>": systemd 253 and later match the reload's end to this
// timestamp; older versions ignore the field.
std::string reloading_message();

class Notifier {
 public:
  // Reads $NOTIFY_SOCKET. A malformed value is logged once and leaves the notifier disabled:
  // failing to start over it would turn a cosmetic problem into an outage.
  static Notifier from_environment();
  explicit Notifier(std::optional<NotifyAddress> address);
  Notifier() = default;
  ~Notifier();
  Notifier(Notifier&& other) noexcept;
  Notifier& operator=(Notifier&& other) noexcept;
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  bool enabled() const { return fd_ >= 0; }
  // Sends one datagram ("KEY=value" lines). Thread-safe. A failed send is logged, never thrown:
  // systemd notices a missing READY or WATCHDOG on its own.
  void send(std::string_view message) const;

 private:
  int fd_ = -1;
  NotifyAddress address_{};
};

// The watchdog interval from the environment (see parse_watchdog), then WATCHDOG_USEC and
// WATCHDOG_PID are removed so that nothing the daemon starts inherits them. A malformed value is
// logged and treated as no watchdog.
std::optional<std::chrono::microseconds> watchdog_from_environment();

}  // namespace fathom::sd
