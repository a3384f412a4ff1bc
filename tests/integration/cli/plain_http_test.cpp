// The CLI refuses to send the admin token over plain http:// to a host other than loopback,
// before it connects, unless --insecure-http says the network is trusted.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>

#include "integration/cli/cli_fixture.h"

namespace fathom::test::cli {
namespace {

using CliPlainHttp = CliTest;

// An IPv4 address of this machine outside 127.0.0.0/8, if it has one.
std::optional<std::string> non_loopback_address() {
  ifaddrs* all = nullptr;
  if (::getifaddrs(&all) != 0) return std::nullopt;
  std::optional<std::string> found;
  for (ifaddrs* i = all; i != nullptr && !found; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
    if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) continue;
    char text[INET_ADDRSTRLEN] = {};
    if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text) != nullptr) found = text;
  }
  ::freeifaddrs(all);
  return found;
}

// A listening socket on `address`, port chosen by the kernel; it answers nothing.
struct Listener {
  int fd = -1;
  uint16_t port = 0;
  explicit Listener(const std::string& address) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    ::inet_pton(AF_INET, address.c_str(), &a.sin_addr);
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd, 8) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ADD_FAILURE() << "cannot listen on " << address;
      return;
    }
    port = ntohs(a.sin_port);
  }
  ~Listener() {
    if (fd >= 0) ::close(fd);
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // The next connection within `timeout`, or -1.
  int accept_within(int timeout_ms) const {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return -1;
    return ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
  }
};

// What the peer sent up to the end of its request head (or 5 s of silence).
std::string read_head(int fd) {
  std::string got;
  char buf[4096];
  while (got.find("\r\n\r\n") == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) break;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

TEST_F(CliPlainHttp, ANonLoopbackHttpUrlIsRefusedAsAUsageErrorNamingTheHostAndTheFlag) {
  // 192.0.2.1 is TEST-NET-1: nothing answers there, so only the refusal can end this quickly.
  for (const CliEnv& env : {CliEnv{{"FATHOM_ADMIN_TOKEN", proxy.admin_token}},
                            CliEnv{{"FATHOM_ADMIN_TOKEN", proxy.admin_token},
                                   {"FATHOM_URL", "http://192.0.2.1:8201"}}}) {
    std::vector<std::string> args = {"tokens", "list"};
    if (env.size() == 1) {
      args.insert(args.end(), {"--url", "http://192.0.2.1:8201"});
    }
    CliResult r = run_cli(args, env, scratch);
    EXPECT_EQ(r.code(), kUsage) << r.describe();
    EXPECT_TRUE(contains(r.err, "192.0.2.1")) << r.describe();
    EXPECT_TRUE(contains(r.err, "--insecure-http")) << r.describe();
    EXPECT_TRUE(contains(r.err, "https://")) << r.describe();
    EXPECT_FALSE(contains(r.err + r.out, proxy.admin_token)) << r.describe();
  }
  // Every command that talks to the API, not only tokens list.
  CliResult pair = run_cli({"pair-code", "list", "--url", "http://lake.example:8201"},
                           {{"FATHOM_ADMIN_TOKEN", proxy.admin_token}}, scratch);
  EXPECT_EQ(pair.code(), kUsage) << pair.describe();
  EXPECT_TRUE(contains(pair.err, "lake.example")) << pair.describe();
}

TEST_F(CliPlainHttp, TheRefusalComesBeforeAnyConnectionAndTheFlagLetsTheRequestGo) {
  const std::optional<std::string> address = non_loopback_address();
  if (!address) GTEST_SKIP() << "this machine has no IPv4 address outside 127.0.0.0/8";
  Listener listener(*address);
  ASSERT_NE(listener.port, 0);
  const std::string url = "http://" + *address + ":" + std::to_string(listener.port);
  const CliEnv env = {{"FATHOM_ADMIN_TOKEN", proxy.admin_token}};

  CliResult refused = run_cli({"tokens", "list", "--url", url}, env, scratch);
  EXPECT_EQ(refused.code(), kUsage) << refused.describe();
  EXPECT_TRUE(contains(refused.err, *address)) << refused.describe();
  const int none = listener.accept_within(0);
  EXPECT_LT(none, 0) << "the CLI connected although it refused the URL";
  if (none >= 0) ::close(none);

  // With the flag the request goes out, token and all; this listener then hangs up, which is a
  // connection failure for the CLI.
  CliProcess cli({"tokens", "list", "--url", url, "--insecure-http"}, env, scratch);
  const int conn = listener.accept_within(30000);
  ASSERT_GE(conn, 0) << "the CLI never connected with --insecure-http";
  const std::string head = read_head(conn);
  ::close(conn);
  EXPECT_TRUE(contains(head, "GET /v1/tokens")) << head;
  EXPECT_TRUE(contains(head, "Bearer ")) << head;
  CliResult r = cli.finish(std::chrono::seconds(60));
  EXPECT_EQ(r.code(), kUnreachable) << r.describe();
}

TEST_F(CliPlainHttp, WithTheFlagAnUnreachableHostIsAConnectionError) {
  CliResult r = run_cli({"tokens", "list", "--url", "http://192.0.2.1:8201", "--insecure-http"},
                        {{"FATHOM_ADMIN_TOKEN", proxy.admin_token}}, scratch);
  EXPECT_EQ(r.code(), kUnreachable) << r.describe();
  EXPECT_FALSE(contains(r.err, "--insecure-http")) << r.describe();
}

TEST_F(CliPlainHttp, LoopbackNeedsNoFlag) {
  const std::string port = std::to_string(proxy.port());
  for (const std::string& url :
       {"http://127.0.0.1:" + port, "http://localhost:" + port, "http://LocalHost:" + port}) {
    CliResult r = run_cli({"tokens", "list", "--json", "--url", url},
                          {{"FATHOM_ADMIN_TOKEN", proxy.admin_token}}, scratch);
    EXPECT_EQ(r.code(), kOk) << url << "\n" << r.describe();
    EXPECT_TRUE(json_of(r).contains("tokens")) << url << "\n" << r.describe();
  }
  // The rest of 127.0.0.0/8 and ::1 are loopback too: nothing listens there, so the CLI gets as
  // far as a connection error, not the refusal.
  for (const std::string& url : {"http://127.0.0.2:" + port, "http://[::1]:" + port}) {
    CliResult r = run_cli({"tokens", "list", "--url", url},
                          {{"FATHOM_ADMIN_TOKEN", proxy.admin_token}}, scratch);
    EXPECT_EQ(r.code(), kUnreachable) << url << "\n" << r.describe();
    EXPECT_FALSE(contains(r.err, "--insecure-http")) << url << "\n" << r.describe();
  }
}

}  // namespace
}  // namespace fathom::test::cli
