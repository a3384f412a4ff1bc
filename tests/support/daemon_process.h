// The real daemon (build/fathom-auth serve) as a child process: its config written from JSON into
// a private folder, a listen port chosen at run time, and started only once /healthz answers.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/child_process.h"
#include "support/temp_dir.h"

namespace fathom::test {

struct DaemonOptions {
  // Added to the daemon's environment (e.g. ASAN_OPTIONS for a memory measurement).
  std::vector<std::pair<std::string, std::string>> env;
  // A listening socket handed over as systemd's socket activation does (fd 3, LISTEN_FDS=1,
  // LISTEN_PID). The daemon serves on it instead of binding "listen", and port() is its port.
  int listen_fd = -1;
  // How to tell the daemon is up, instead of a plain GET /healthz answering 200 (a TLS listener
  // needs a TLS client). Gets the port; true once it answers.
  std::function<bool(uint16_t)> ready_check;
};

class DaemonProcess {
 public:
  // Completes `config` (a "listen" on a free port, a "state_dir" in a private folder and no
  // metrics listener, unless it has them), writes it, runs `fathom-auth serve --config FILE`
  // and waits until GET /healthz answers 200 on a port that only this daemon listens on. Throws
  // std::runtime_error with the daemon's stderr if it does not come up.
  explicit DaemonProcess(nlohmann::json config, DaemonOptions options = {});
  // SIGTERM and a short wait (so sanitizer reports at exit are seen), then SIGKILL. If the test
  // failed, prints the end of the daemon's log.
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return child_->pid(); }
  const nlohmann::json& config() const { return config_; }
  const std::string& config_path() const { return config_path_; }
  const TempDir& dir() const { return dir_; }

  // Writes `new_config` (completed with this daemon's listen and state_dir) over the config file
  // and sends SIGHUP. Does not wait: the caller polls for the new behaviour.
  void reload(nlohmann::json new_config);
  // Writes raw text (e.g. a broken config) over the config file and sends SIGHUP.
  void reload_text(std::string_view text);

  void send_signal(int sig) const { child_->send_signal(sig); }
  bool running() { return child_->running(); }
  std::optional<ExitStatus> wait_for_exit(std::chrono::milliseconds timeout) {
    return child_->wait_for(timeout);
  }
  // SIGTERM, then waits for the exit; nullopt (and SIGKILL) if it did not end in `timeout`.
  std::optional<ExitStatus> terminate(std::chrono::milliseconds timeout = std::chrono::seconds(40));

  long rss_kb() const;
  std::string stderr_text() const;
  // Waits until the daemon's stderr contains `needle`; false on timeout.
  bool wait_for_stderr(std::string_view needle, std::chrono::milliseconds timeout) const;

  // A config forwarding to the lake on `upstream_port` with every route public (scope-rules with
  // one public "/" rule), so that only framing and forwarding decide what happens.
  static nlohmann::json public_config(uint16_t upstream_port);
  // A config forwarding to the lake with no "plugins" key at all.
  static nlohmann::json bare_config(uint16_t upstream_port);

 private:
  nlohmann::json complete(nlohmann::json config) const;
  bool start_once(const DaemonOptions& options, std::string& why);

  TempDir dir_;
  std::string config_path_;
  std::string stderr_path_;
  nlohmann::json config_;
  std::unique_ptr<ChildProcess> child_;
  uint16_t port_ = 0;
};

// Writes `config` into `dir` as config.json and returns its path (for runs expected to fail).
std::string write_config(const TempDir& dir, const nlohmann::json& config,
                         std::string_view name = "config.json");

}  // namespace fathom::test
