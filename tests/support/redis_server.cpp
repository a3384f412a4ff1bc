#include "support/redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "support/ports.h"

namespace fathom::test {
namespace {

std::string redis_server_binary() {
  const char* path = std::getenv("FATHOM_REDIS_SERVER");
  return path && *path ? path : "/usr/bin/redis-server";
}

std::string resp_command(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const std::string& a : argv) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// One request, one read with a short timeout: enough for the small replies tests look at.
std::string round_trip(uint16_t port, const std::string& request,
                       std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
    char buf[65536];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) reply.assign(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return reply;
}

}  // namespace

RedisServer::RedisServer(RedisServerOptions options)
    : options_(std::move(options)), port_(free_port()) {
  start();
}

RedisServer::~RedisServer() {
  if (process_ && paused_) process_->send_signal(SIGCONT);
}

std::string RedisServer::url(int db) const {
  return "redis://127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
}

void RedisServer::start() {
  std::filesystem::create_directories(dir_.file("data"));
  ChildSpec spec;
  spec.argv = {redis_server_binary(),
               "--port",
               std::to_string(port_),
               "--bind",
               "127.0.0.1",
               "--dir",
               dir_.file("data"),
               "--save",
               "",
               "--appendonly",
               options_.appendonly ? "yes" : "no",
               "--appendfsync",
               options_.appendfsync,
               "--daemonize",
               "no",
               "--protected-mode",
               "no",
               "--logfile",
               dir_.file("redis.log")};
  for (const std::string& a : options_.extra_args) spec.argv.push_back(a);
  process_ = std::make_unique<ChildProcess>(spec);
  paused_ = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!answers_ping()) {
    if (!process_->running()) {
      throw std::runtime_error("redis-server exited at start; see " + dir_.file("redis.log"));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("redis-server did not answer PING within 10 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool RedisServer::answers_ping() const {
  return round_trip(port_, resp_command({"PING"}), std::chrono::milliseconds(200)) == "+PONG\r\n";
}

std::string RedisServer::command(const std::vector<std::string>& argv) const {
  return round_trip(port_, resp_command(argv), std::chrono::milliseconds(2000));
}

void RedisServer::stop() {
  if (!process_) return;
  if (paused_) process_->send_signal(SIGCONT);
  process_->kill_and_wait();
  process_.reset();
  paused_ = false;
}

void RedisServer::pause() {
  if (!process_) return;
  process_->send_signal(SIGSTOP);
  paused_ = true;
}

void RedisServer::resume() {
  if (!process_) return;
  process_->send_signal(SIGCONT);
  paused_ = false;
}

void RedisServer::restart_empty() {
  stop();
  std::filesystem::remove_all(dir_.file("data"));
  start();
}

void RedisServer::restart_keep_data() {
  if (process_) {
    if (paused_) resume();
    command({"SHUTDOWN", "SAVE"});
    if (!process_->wait_for(std::chrono::seconds(10))) process_->kill_and_wait();
    process_.reset();
  }
  start();
}

}  // namespace fathom::test
