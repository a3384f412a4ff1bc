// The real test lake (build/fathom-lake) as a child process on a port it picks itself, with a
// record file of every request head that reached it: the evidence that a refused request never
// got through the proxy.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/child_process.h"
#include "support/temp_dir.h"

namespace fathom::test {

class LakeProcess {
 public:
  // Starts the lake on 127.0.0.1:0 and waits for its "listening 127.0.0.1:PORT" line.
  // Throws std::runtime_error (with the lake's stderr) if it does not come up.
  LakeProcess();
  ~LakeProcess();
  LakeProcess(const LakeProcess&) = delete;
  LakeProcess& operator=(const LakeProcess&) = delete;

  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return child_ ? child_->pid() : -1; }

  const std::string& record_path() const { return record_path_; }
  // The heads recorded so far, one JSON object each (a half-written last line is left out).
  std::vector<nlohmann::json> recorded_heads() const;
  // The record file's size in bytes; 0 means no request reached the lake.
  size_t record_bytes() const;
  // Waits until at least `count` heads are recorded; false on timeout.
  bool wait_for_heads(size_t count, std::chrono::milliseconds timeout) const;

  std::string stderr_text() const;
  // SIGTERM, then SIGKILL if it lingers. Its port stops answering.
  void stop();

 private:
  TempDir dir_;
  std::string record_path_;
  std::unique_ptr<ChildProcess> child_;
  uint16_t port_ = 0;
};

}  // namespace fathom::test
