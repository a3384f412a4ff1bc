// Tests proxy/ops/listen_fds.cpp: which passed fds $LISTEN_PID and $LISTEN_FDS name, and how a
// listening socket is described in the log.

#include "ops/listen_fds.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

namespace fathom::sd {
namespace {

TEST(ListenFds, ForThisProcessTheyStartAtThree) {
  EXPECT_EQ(parse_listen_fds("42", "1", 42), std::vector<int>({3}));
  EXPECT_EQ(parse_listen_fds("42", "3", 42), std::vector<int>({3, 4, 5}));
  EXPECT_TRUE(parse_listen_fds("42", "0", 42).empty());
}

TEST(ListenFds, AnotherProcessesFdsAreNotTaken) {
  // Inherited from a parent that was socket-activated: not ours.
  EXPECT_TRUE(parse_listen_fds("41", "2", 42).empty());
  EXPECT_TRUE(parse_listen_fds(nullptr, "2", 42).empty());
  EXPECT_TRUE(parse_listen_fds("", "2", 42).empty());
}

TEST(ListenFds, MalformedValuesAreRefusedWithTheirName) {
  auto message = [](const char* pid, const char* fds) {
    try {
      parse_listen_fds(pid, fds, 42);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(message("x42", "1").rfind("LISTEN_PID:", 0), 0u);
  EXPECT_EQ(message("42", nullptr).rfind("LISTEN_FDS:", 0), 0u);
  EXPECT_EQ(message("42", "-1").rfind("LISTEN_FDS:", 0), 0u);
  EXPECT_EQ(message("42", "1 ").rfind("LISTEN_FDS:", 0), 0u);
}

TEST(DescribeSocket, NamesTheBoundAddressAndPort) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  EXPECT_EQ(describe_socket(fd), "127.0.0.1:" + std::to_string(ntohs(a.sin_port)));
  ::close(fd);
}

}  // namespace
}  // namespace fathom::sd
