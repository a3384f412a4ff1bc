#include "support/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "support/temp_dir.h"

extern char** environ;

namespace fathom::test {

namespace {

ExitStatus decode(int wstatus) {
  ExitStatus s;
  if (WIFEXITED(wstatus)) {
    s.exited = true;
    s.code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    s.signal = WTERMSIG(wstatus);
    s.core_dumped = WCOREDUMP(wstatus);
  }
  return s;
}

int open_output(const std::string& path) {
  const char* p = path.empty() ? "/dev/null" : path.c_str();
  int fd = ::open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), std::string("open ") + p);
  return fd;
}

// The environment for the child, built before fork because the child may only call
// async-signal-safe functions.
std::vector<std::string> child_environment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    bool replaced = false;
    for (const auto& [name, value] : overrides) {
      if (entry.compare(0, name.size() + 1, name + "=") == 0) replaced = true;
    }
    if (!replaced) env.push_back(std::move(entry));
  }
  for (const auto& [name, value] : overrides) env.push_back(name + "=" + value);
  return env;
}

}  // namespace

std::string ExitStatus::describe() const {
  if (exited) return "exit code " + std::to_string(code);
  if (signal != 0)
    return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  return "not ended";
}

ChildProcess::ChildProcess(const ChildSpec& spec) {
  if (spec.argv.empty()) throw std::invalid_argument("ChildSpec.argv is empty");
  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  auto env_overrides = spec.env;
  if (spec.listen_fd >= 0) {
    env_overrides.emplace_back("LISTEN_FDS", "1");
    env_overrides.emplace_back("LISTEN_PID", std::string(20, '0'));  // filled in by the child
  }
  std::vector<std::string> env_strings = child_environment(env_overrides);
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  char* listen_pid_digits = nullptr;
  for (std::string& e : env_strings) {
    if (spec.listen_fd >= 0 && e.rfind("LISTEN_PID=", 0) == 0) listen_pid_digits = e.data() + 11;
  }

  int out = open_output(spec.stdout_path);
  int err = open_output(spec.stderr_path);
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  // The child reports a failed exec through this pipe; a successful exec closes it (CLOEXEC).
  int report[2];
  if (in < 0 || ::pipe2(report, O_CLOEXEC) != 0) {
    int e = errno;
    ::close(out);
    ::close(err);
    if (in >= 0) ::close(in);
    throw std::system_error(e, std::generic_category(), "pipe2");
  }
  pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    // If the test process dies (crash, timeout kill), take the child with it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(SIGPIPE, &dfl, nullptr);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    int report_fd = report[1];
    int passed = -1;
    if (spec.listen_fd >= 0) {
      // Out of the way first: any of the fds below may be 3.
      report_fd = ::fcntl(report[1], F_DUPFD_CLOEXEC, 10);
      passed = ::fcntl(spec.listen_fd, F_DUPFD, 10);
      if (report_fd < 0 || passed < 0) ::_exit(127);
      pid_t self = ::getpid();
      char digits[20];
      int n = 0;
      do {
        digits[n++] = static_cast<char>('0' + self % 10);
        self /= 10;
      } while (self > 0);
      for (int i = 0; i < n; ++i) listen_pid_digits[i] = digits[n - 1 - i];
      listen_pid_digits[n] = '\0';
    }
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (passed >= 0) ::dup2(passed, 3);  // dup2 leaves fd 3 without close-on-exec
    ::execve(argv[0], argv.data(), envp.data());
    int e = errno;
    [[maybe_unused]] ssize_t n = ::write(report_fd, &e, sizeof e);
    ::_exit(127);
  }
  int fork_errno = errno;
  ::close(report[1]);
  ::close(in);
  ::close(out);
  ::close(err);
  if (pid_ < 0) {
    ::close(report[0]);
    throw std::system_error(fork_errno, std::generic_category(), "fork");
  }
  int exec_errno = 0;
  ssize_t n;
  do {
    n = ::read(report[0], &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n > 0) {
    int wstatus = 0;
    ::waitpid(pid_, &wstatus, 0);
    status_ = decode(wstatus);
    throw std::system_error(exec_errno, std::generic_category(), "exec " + spec.argv[0]);
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) kill_and_wait();
}

void ChildProcess::send_signal(int sig) const {
  if (pid_ > 0 && !status_) ::kill(pid_, sig);
}

bool ChildProcess::running() {
  if (status_) return false;
  int wstatus = 0;
  pid_t r = ::waitpid(pid_, &wstatus, WNOHANG);
  if (r == pid_) {
    status_ = decode(wstatus);
    return false;
  }
  return true;
}

std::optional<ExitStatus> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // Polling keeps this free of SIGCHLD handlers, which would disturb the test process.
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return status_;
}

ExitStatus ChildProcess::kill_and_wait() {
  if (!status_) {
    ::kill(pid_, SIGKILL);
    int wstatus = 0;
    while (::waitpid(pid_, &wstatus, 0) < 0 && errno == EINTR) {
    }
    status_ = decode(wstatus);
  }
  return *status_;
}

RunResult run_to_exit(const std::vector<std::string>& argv, const std::string& scratch_dir,
                      std::chrono::milliseconds timeout) {
  ChildSpec spec;
  spec.argv = argv;
  spec.stdout_path = scratch_dir + "/run.stdout";
  spec.stderr_path = scratch_dir + "/run.stderr";
  ChildProcess child(spec);
  RunResult result;
  if (auto status = child.wait_for(timeout)) {
    result.status = *status;
  } else {
    result.timed_out = true;
    result.status = child.kill_and_wait();
  }
  result.out = read_file(spec.stdout_path);
  result.err = read_file(spec.stderr_path);
  return result;
}

}  // namespace fathom::test
