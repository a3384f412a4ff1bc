#include "support/daemon_process.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <thread>

#include "support/binaries.h"
#include "support/http_client.h"
#include "support/ports.h"
#include "support/proc_status.h"

namespace fathom::test {

namespace {

constexpr std::chrono::seconds kStartTimeout{30};  // generous: sanitizer builds start slowly
constexpr int kStartAttempts = 4;

std::string tail(const std::string& text, size_t bytes) {
  return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

bool healthz_ok(uint16_t port) {
  try {
    std::optional<HttpConnection> conn = HttpConnection::try_open(port, std::chrono::seconds(2));
    if (!conn) return false;
    conn->send_all(request("GET", "/healthz"), std::chrono::seconds(2));
    return conn->read_response("GET", std::chrono::seconds(5)).status == 200;
  } catch (const std::exception&) {
    return false;  // not up yet, or mid-start
  }
}

uint16_t bound_port(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0 || a.sin_family != AF_INET) {
    throw std::runtime_error("DaemonOptions.listen_fd is not a bound IPv4 socket");
  }
  return ntohs(a.sin_port);
}

}  // namespace

std::string write_config(const TempDir& dir, const nlohmann::json& config, std::string_view name) {
  std::string path = dir.file(name);
  write_file(path, config.dump(2) + "\n");
  return path;
}

nlohmann::json DaemonProcess::bare_config(uint16_t upstream_port) {
  return {
      {"workers", 1},
      {"upstream", {{"url", "http://127.0.0.1:" + std::to_string(upstream_port)}}},
      {"log", {{"level", "info"}}},
  };
}

nlohmann::json DaemonProcess::public_config(uint16_t upstream_port) {
  nlohmann::json config = bare_config(upstream_port);
  config["plugins"] = nlohmann::json::array(
      {{{"name", "scope-rules"},
        {"config", {{"rules", nlohmann::json::array({{{"prefix", "/"}, {"public", true}}})}}}}});
  return config;
}

DaemonProcess::DaemonProcess(nlohmann::json config, DaemonOptions options)
    : config_path_(dir_.file("config.json")), stderr_path_(dir_.file("daemon.stderr")) {
  std::filesystem::create_directories(dir_.file("state"));
  bool chose_port = !config.contains("listen");
  std::string why;
  for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
    nlohmann::json attempt_config = config;
    if (chose_port) attempt_config["listen"] = {"127.0.0.1:" + std::to_string(free_port())};
    config_ = complete(std::move(attempt_config));
    std::string listen = config_["listen"][0].get<std::string>();
    port_ = static_cast<uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1)));
    if (options.listen_fd >= 0) port_ = bound_port(options.listen_fd);
    write_config(dir_, config_);
    if (start_once(options, why)) return;
    // Only a port taken in the meantime is worth another try; anything else is the daemon's.
    if (!chose_port || why.find("port taken") == std::string::npos) break;
  }
  throw std::runtime_error("fathom-auth did not start: " + why);
}

nlohmann::json DaemonProcess::complete(nlohmann::json config) const {
  if (!config.contains("listen") && config_.is_object() && config_.contains("listen")) {
    config["listen"] = config_["listen"];
  }
  if (!config.contains("state_dir")) config["state_dir"] = dir_.file("state");
  // The default metrics address is one per host: daemons under test would fight over it.
  if (!config.contains("metrics")) config["metrics"] = {{"listen", nullptr}};
  return config;
}

bool DaemonProcess::start_once(const DaemonOptions& options, std::string& why) {
  ChildSpec spec;
  spec.argv = {daemon_binary(), "serve", "--config", config_path_};
  spec.stdout_path = dir_.file("daemon.stdout");
  spec.stderr_path = stderr_path_;
  spec.env = options.env;
  spec.listen_fd = options.listen_fd;
  child_ = std::make_unique<ChildProcess>(spec);

  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  for (;;) {
    if (!child_->running()) {
      std::string err = stderr_text();
      bool in_use =
          err.find("in use") != std::string::npos || err.find("EADDRINUSE") != std::string::npos;
      why = std::string(in_use ? "port taken; " : "") + "it ended (" +
            child_->exit_status()->describe() + "); stderr: " + tail(err, 4000);
      return false;
    }
    if (options.ready_check ? options.ready_check(port_) : healthz_ok(port_)) {
      if (sole_listener(pid(), port_)) return true;
      // Another process answers on this port too (SO_REUSEPORT lets two daemons share one).
      child_->kill_and_wait();
      why = "port taken; another process listens on " + std::to_string(port_);
      return false;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      child_->kill_and_wait();
      why = "GET /healthz did not answer 200 within 30 s; stderr: " + tail(stderr_text(), 4000);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

DaemonProcess::~DaemonProcess() {
  if (::testing::Test::HasFailure()) {
    std::cerr << "[ daemon  ] log of fathom-auth on port " << port_ << ":\n"
              << tail(stderr_text(), 6000) << "\n";
  }
  if (child_ && child_->running()) {
    child_->send_signal(SIGTERM);
    std::optional<ExitStatus> status = child_->wait_for(std::chrono::seconds(5));
    if (!status) {
      child_->kill_and_wait();  // still draining something: not this check's business
    } else if (!status->success()) {
      // A clean stop is part of every test: a sanitizer report at exit shows up here.
      ADD_FAILURE() << "fathom-auth did not stop cleanly on SIGTERM (" << status->describe()
                    << "); stderr: " << tail(stderr_text(), 4000);
    }
  }
}

void DaemonProcess::reload(nlohmann::json new_config) {
  config_ = complete(std::move(new_config));
  write_config(dir_, config_);
  child_->send_signal(SIGHUP);
}

void DaemonProcess::reload_text(std::string_view text) {
  write_file(config_path_, text);
  child_->send_signal(SIGHUP);
}

std::optional<ExitStatus> DaemonProcess::terminate(std::chrono::milliseconds timeout) {
  child_->send_signal(SIGTERM);
  std::optional<ExitStatus> status = child_->wait_for(timeout);
  if (!status) child_->kill_and_wait();
  return status;
}

long DaemonProcess::rss_kb() const {
  return fathom::test::rss_kb(child_->pid());
}

std::string DaemonProcess::stderr_text() const {
  return read_file(stderr_path_);
}

bool DaemonProcess::wait_for_stderr(std::string_view needle,
                                    std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (stderr_text().find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace fathom::test
