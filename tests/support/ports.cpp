#include "support/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <random>
#include <stdexcept>
#include <system_error>

namespace fathom::test {

namespace {

// Below Linux's default ephemeral range (32768-60999), so that no outgoing connection (there are
// thousands in these tests) takes the port between this check and the daemon's bind.
constexpr uint16_t kFirstPort = 20000;
constexpr uint16_t kLastPort = 32000;

bool can_bind(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

uint16_t free_port() {
  // Random rather than sequential, so that tests running in parallel rarely pick the same one.
  static thread_local std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> dist(kFirstPort, kLastPort);
  for (int attempt = 0; attempt < 200; ++attempt) {
    auto port = static_cast<uint16_t>(dist(rng));
    if (can_bind(port)) return port;
  }
  throw std::runtime_error("no free TCP port on 127.0.0.1 in 20000-32000");
}

}  // namespace fathom::test
