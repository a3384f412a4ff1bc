#include "ops/listen_fds.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace fathom::sd {
namespace {

constexpr int kFirstFd = 3;  // SD_LISTEN_FDS_START

bool parse_int(std::string_view text, long long& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

void check_listening_stream(int fd) {
  std::string which = "LISTEN_FDS: fd " + std::to_string(fd);
  int type = 0, listening = 0;
  socklen_t len = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) {
    throw std::runtime_error(which + " is not a socket: " + std::strerror(errno));
  }
  len = sizeof listening;
  if (type != SOCK_STREAM || getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 ||
      listening == 0) {
    throw std::runtime_error(which +
                             " is not a listening stream socket (ListenStream= in the "
                             ".socket unit)");
  }
}

}  // namespace

std::vector<int> parse_listen_fds(const char* listen_pid, const char* listen_fds, pid_t self) {
  if (listen_pid == nullptr || *listen_pid == '\0') return {};
  long long pid = 0, count = 0;
  if (!parse_int(listen_pid, pid) || pid <= 0) {
    throw std::runtime_error("LISTEN_PID: expected a process id");
  }
  if (pid != self) return {};
  if (listen_fds == nullptr || !parse_int(listen_fds, count) || count < 0 || count > 4096) {
    throw std::runtime_error("LISTEN_FDS: expected a count of passed sockets (0 to 4096)");
  }
  std::vector<int> fds;
  for (int i = 0; i < count; ++i) fds.push_back(kFirstFd + i);
  return fds;
}

std::vector<int> take_listen_fds() {
  std::vector<int> fds =
      parse_listen_fds(std::getenv("LISTEN_PID"), std::getenv("LISTEN_FDS"), getpid());
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  for (int fd : fds) {
    check_listening_stream(fd);
    int fd_flags = fcntl(fd, F_GETFD);
    int fl_flags = fcntl(fd, F_GETFL);
    if (fd_flags < 0 || fl_flags < 0 || fcntl(fd, F_SETFD, fd_flags | FD_CLOEXEC) != 0 ||
        fcntl(fd, F_SETFL, fl_flags | O_NONBLOCK) != 0) {
      throw std::runtime_error("LISTEN_FDS: fd " + std::to_string(fd) + ": " +
                               std::strerror(errno));
    }
  }
  return fds;
}

std::string describe_socket(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return "fd " + std::to_string(fd);
  }
  char host[INET6_ADDRSTRLEN] = {0};
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  if (ss.ss_family == AF_UNIX) {
    const auto* un = reinterpret_cast<const sockaddr_un*>(&ss);
    size_t n = len > offsetof(sockaddr_un, sun_path) ? len - offsetof(sockaddr_un, sun_path) : 0;
    std::string path(un->sun_path, strnlen(un->sun_path, n));
    return "unix:" + path;
  }
  return "fd " + std::to_string(fd);
}

}  // namespace fathom::sd
