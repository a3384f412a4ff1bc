// A real redis-server for a test: its own port (chosen at run time) and its own folder in a
// TempDir, never a system-wide instance. Killed when the object goes away. Tests use it to stop,
// pause (SIGSTOP) and restart Redis under a running store.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.h"
#include "support/temp_dir.h"

namespace fathom::test {

struct RedisServerOptions {
  bool appendonly = false;
  std::string appendfsync = "everysec";  // always, everysec or no; used with appendonly
  // Extra "name value" directives for the command line, e.g. {"rename-command", "CONFIG", ""}.
  std::vector<std::string> extra_args;
};

class RedisServer {
 public:
  // Starts redis-server ($FATHOM_REDIS_SERVER, else /usr/bin/redis-server) and waits until it
  // answers PING. Throws std::runtime_error if it does not within a few seconds.
  explicit RedisServer(RedisServerOptions options = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  uint16_t port() const { return port_; }
  std::string url(int db = 0) const;  // redis://127.0.0.1:<port>/<db>
  const std::string& dir() const { return dir_.path(); }

  void stop();    // SIGKILL, as a crash: nothing is saved beyond what the AOF already holds
  void pause();   // SIGSTOP: connections stay open, nothing answers
  void resume();  // SIGCONT
  // Stopped (if running) and started again on the same port, with an empty data folder.
  void restart_empty();
  // Stopped with SHUTDOWN SAVE (an RDB of everything) and started again on the same port.
  void restart_keep_data();

  // Runs one command over a fresh connection and returns the reply as RESP text (e.g. "+OK\r\n").
  std::string command(const std::vector<std::string>& argv) const;

 private:
  void start();
  bool answers_ping() const;

  RedisServerOptions options_;
  TempDir dir_;
  uint16_t port_;
  std::unique_ptr<ChildProcess> process_;
  bool paused_ = false;
};

}  // namespace fathom::test
