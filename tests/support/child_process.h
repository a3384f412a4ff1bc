// A child process the test owns: started with fork/exec, its stdout and stderr in files, killed
// and reaped when the object goes away so that a failing test never leaves a daemon behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fathom::test {

struct ExitStatus {
  bool exited = false;  // ended through exit(); `code` is valid
  int code = -1;
  int signal = 0;            // killed by this signal
  bool core_dumped = false;  // killed by `signal`, and the kernel wrote a core dump

  bool success() const { return exited && code == 0; }
  std::string describe() const;  // "exit code 2", "killed by signal 9"
};

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0] is the executable's path
  std::string stdout_path;        // empty: /dev/null
  std::string stderr_path;        // empty: /dev/null
  // NAME=value entries added to (or replacing those of) the test's own environment.
  std::vector<std::pair<std::string, std::string>> env;
  // systemd's socket activation: this fd becomes the child's fd 3, with LISTEN_FDS=1 and
  // LISTEN_PID=<the child's own pid>, which is only known after fork. -1: nothing passed.
  int listen_fd = -1;
};

class ChildProcess {
 public:
  // Throws std::runtime_error if the executable cannot be started.
  explicit ChildProcess(const ChildSpec& spec);
  ~ChildProcess();  // SIGKILL and reap, if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void send_signal(int sig) const;
  // Reaps the child if it has ended (without waiting); true while it runs.
  bool running();
  // Waits up to `timeout` for the child to end.
  std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout);
  // SIGKILL, then reap.
  ExitStatus kill_and_wait();
  const std::optional<ExitStatus>& exit_status() const { return status_; }

 private:
  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
};

// Runs a program to its end (SIGKILL after `timeout`) and returns what it printed.
struct RunResult {
  ExitStatus status;
  bool timed_out = false;
  std::string out;
  std::string err;
};
RunResult run_to_exit(const std::vector<std::string>& argv, const std::string& scratch_dir,
                      std::chrono::milliseconds timeout);

}  // namespace fathom::test
