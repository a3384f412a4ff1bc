// systemd's socket activation: a listening socket passed as fd 3 with LISTEN_FDS and LISTEN_PID
// is served instead of binding "listen", by every worker.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "support/binaries.h"
#include "support/child_process.h"
#include "support/http_client.h"
#include "support/ports.h"
#include "support/proxy_under_test.h"
#include "support/temp_dir.h"

namespace fathom::test {
namespace {

// A socket listening on 127.0.0.1 at a port the kernel picks, as systemd's ListenStream= opens.
int listening_socket() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(fd, 128) != 0) {
    throw std::runtime_error(std::string("listening socket: ") + std::strerror(errno));
  }
  return fd;
}

TEST(SocketActivation, ThePassedSocketIsServedAndListenIsNotBound) {
  int fd = listening_socket();
  DaemonOptions options;
  options.listen_fd = fd;
  uint16_t config_port = free_port();
  ProxyUnderTest p(
      [&](nlohmann::json& c) {
        c["workers"] = 2;
        c["listen"] = {"127.0.0.1:" + std::to_string(config_port)};
      },
      options);
  ::close(fd);  // from here only the daemon holds the socket

  ASSERT_NE(p.port(), config_port);
  for (int i = 0; i < 20; ++i) {
    Response r = fetch(p.port(), "GET", "/data/" + std::to_string(i));
    ASSERT_EQ(r.status, 200) << "request " << i;
  }
  EXPECT_EQ(fetch(p.port(), "GET", "/healthz").status, 200);
  EXPECT_FALSE(HttpConnection::try_open(config_port, std::chrono::seconds(2)))
      << "the daemon bound \"listen\" although it was given a socket";
  std::string log = p.daemon.stderr_text();
  EXPECT_NE(log.find("\"socket_activation\":true"), std::string::npos) << log;
  EXPECT_NE(log.find("127.0.0.1:" + std::to_string(p.port())), std::string::npos);
}

TEST(SocketActivation, VariablesMeantForAnotherProcessAreIgnored) {
  // LISTEN_PID names someone else (an inherited environment): "listen" is bound as usual.
  DaemonOptions options;
  options.env = {{"LISTEN_PID", "1"}, {"LISTEN_FDS", "1"}};
  ProxyUnderTest p({}, options);
  EXPECT_EQ(fetch(p.port(), "GET", "/healthz").status, 200);
  EXPECT_NE(p.daemon.stderr_text().find("\"socket_activation\":false"), std::string::npos);
}

TEST(SocketActivation, AnFdThatIsNotAListeningSocketIsRefused) {
  // fd 3 of the child is a socket that was never listen()ed on: a misconfigured .socket unit.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  TempDir dir;
  ChildSpec spec;
  nlohmann::json config = DaemonProcess::bare_config(free_port());
  config["listen"] = {"127.0.0.1:" + std::to_string(free_port())};
  config["state_dir"] = dir.file("state");
  spec.argv = {daemon_binary(), "serve", "--config", write_config(dir, config)};
  spec.stderr_path = dir.file("stderr");
  spec.listen_fd = fd;
  ChildProcess child(spec);
  std::optional<ExitStatus> status = child.wait_for(std::chrono::seconds(30));
  ::close(fd);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 1) << status->describe();
  EXPECT_NE(read_file(spec.stderr_path).find("fd 3 is not a listening stream socket"),
            std::string::npos)
      << read_file(spec.stderr_path);
}

}  // namespace
}  // namespace fathom::test
