// Tests proxy/ops/sd_notify.cpp: $NOTIFY_SOCKET and $WATCHDOG_USEC parsing, and datagrams
// delivered to a real unix socket bound by the test.

#include "ops/sd_notify.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <string>

namespace fathom::sd {
namespace {

using std::chrono::microseconds;

std::string error_of(std::string_view value) {
  try {
    parse_notify_socket(value);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

long long monotonic_usec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000LL + ts.tv_nsec / 1000;
}

// A datagram socket bound where the notifier will send, as systemd's manager binds its own.
class Receiver {
 public:
  explicit Receiver(const NotifyAddress& address) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<const sockaddr*>(&address.addr), address.length), 0)
        << std::strerror(errno);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~Receiver() { ::close(fd_); }
  std::string next() {
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n < 0 ? std::string("(nothing received)") : std::string(buf, static_cast<size_t>(n));
  }

 private:
  int fd_ = -1;
};

TEST(NotifySocket, AnAbsolutePathIsAFilesystemAddress) {
  auto a = parse_notify_socket("/run/systemd/notify");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->addr.sun_family, AF_UNIX);
  EXPECT_STREQ(a->addr.sun_path, "/run/systemd/notify");
  EXPECT_EQ(a->length, offsetof(sockaddr_un, sun_path) + sizeof "/run/systemd/notify");
}

TEST(NotifySocket, AnAtSignNamesTheAbstractNamespace) {
  auto a = parse_notify_socket("@fathom/notify");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->addr.sun_path[0], '\0');
  EXPECT_EQ(std::string(a->addr.sun_path + 1, 13), "fathom/notify");
  // The length ends the name: no trailing NUL belongs to an abstract address.
  EXPECT_EQ(a->length, offsetof(sockaddr_un, sun_path) + 1 + 13);
}

TEST(NotifySocket, EmptyMeansNoNotifications) {
  EXPECT_FALSE(parse_notify_socket(""));
}

TEST(NotifySocket, OtherFormsAreRefusedWithTheReason) {
  EXPECT_NE(error_of("run/notify").find("absolute path or @name"), std::string::npos);
  EXPECT_NE(error_of("vsock:2:1234").find("vsock is not supported"), std::string::npos);
  EXPECT_NE(error_of("@").find("abstract name"), std::string::npos);
  EXPECT_NE(error_of("/" + std::string(200, 'x')).find("longer than"), std::string::npos);
  EXPECT_NE(error_of("@" + std::string(200, 'x')).find("abstract name"), std::string::npos);
}

TEST(Watchdog, UsecIsTheInterval) {
  EXPECT_EQ(parse_watchdog("200000", nullptr, 42), microseconds(200000));
  EXPECT_EQ(parse_watchdog("30000000", "", 42), microseconds(30000000));
}

TEST(Watchdog, UnsetOrZeroLengthMeansNone) {
  EXPECT_FALSE(parse_watchdog(nullptr, nullptr, 42));
  EXPECT_FALSE(parse_watchdog("", "42", 42));
}

TEST(Watchdog, APidNamesWhoseWatchdogItIs) {
  EXPECT_EQ(parse_watchdog("1000", "42", 42), microseconds(1000));
  EXPECT_FALSE(parse_watchdog("1000", "43", 42));
}

TEST(Watchdog, MalformedValuesAreRefused) {
  EXPECT_THROW(parse_watchdog("0", nullptr, 42), std::invalid_argument);
  EXPECT_THROW(parse_watchdog("-5", nullptr, 42), std::invalid_argument);
  EXPECT_THROW(parse_watchdog("12x", nullptr, 42), std::invalid_argument);
  EXPECT_THROW(parse_watchdog("1000", "pid", 42), std::invalid_argument);
}

TEST(ReloadingMessage, CarriesTheMonotonicClockNow) {
  long long before = monotonic_usec();
  std::string m = reloading_message();
  long long after = monotonic_usec();
  const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
  ASSERT_EQ(m.compare(0, prefix.size(), prefix), 0) << m;
  long long stamp = std::stoll(m.substr(prefix.size()));
  EXPECT_GE(stamp, before);
  EXPECT_LE(stamp, after);
}

TEST(Notifier, SendsADatagramToAPathSocket) {
  char tmpl[] = "/tmp/fathom-sd-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string path = std::string(tmpl) + "/notify";
  auto address = parse_notify_socket(path);
  ASSERT_TRUE(address);
  {
    Receiver receiver(*address);
    Notifier notifier(address);
    ASSERT_TRUE(notifier.enabled());
    notifier.send("READY=1\nSTATUS=listening");
    notifier.send("WATCHDOG=1");
    EXPECT_EQ(receiver.next(), "READY=1\nSTATUS=listening");
    EXPECT_EQ(receiver.next(), "WATCHDOG=1");
  }
  std::filesystem::remove_all(tmpl);
}

TEST(Notifier, SendsADatagramToAnAbstractSocket) {
  std::string name = "@fathom-sd-test-" + std::to_string(::getpid());
  auto address = parse_notify_socket(name);
  ASSERT_TRUE(address);
  Receiver receiver(*address);
  Notifier notifier(address);
  notifier.send("STOPPING=1");
  EXPECT_EQ(receiver.next(), "STOPPING=1");
}

TEST(Notifier, WithoutASocketNothingHappens) {
  Notifier notifier(std::nullopt);
  EXPECT_FALSE(notifier.enabled());
  notifier.send("READY=1");  // no socket, no error
}

TEST(Notifier, FromTheEnvironmentWithNoSocketIsDisabled) {
  const char* saved = std::getenv("NOTIFY_SOCKET");
  std::string keep = saved != nullptr ? saved : "";
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(Notifier::from_environment().enabled());
  ::setenv("NOTIFY_SOCKET", "relative/path", 1);
  EXPECT_FALSE(Notifier::from_environment().enabled());  // logged, not fatal
  if (saved != nullptr) {
    ::setenv("NOTIFY_SOCKET", keep.c_str(), 1);
  } else {
    ::unsetenv("NOTIFY_SOCKET");
  }
}

}  // namespace
}  // namespace fathom::sd
