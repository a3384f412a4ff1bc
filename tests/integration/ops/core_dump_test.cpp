// The daemon holds the token hash key and, briefly, raw tokens: it makes itself non-dumpable at
// start, so a crash writes no core file. Observed the way it matters: a daemon killed by SIGABRT,
// with core files allowed (RLIMIT_CORE unlimited), leaves no core dump, on a machine where an
// ordinary process killed the same way does leave one.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/proxy_under_test.h"
#include "support/temp_dir.h"

namespace fathom::test {
namespace {

using std::chrono::seconds;

// Allows core files of any size for this process and its children while it lives.
class CoreFilesAllowed {
 public:
  CoreFilesAllowed() {
    ::getrlimit(RLIMIT_CORE, &saved_);
    rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
    ok_ = ::setrlimit(RLIMIT_CORE, &unlimited) == 0;
  }
  ~CoreFilesAllowed() { ::setrlimit(RLIMIT_CORE, &saved_); }
  CoreFilesAllowed(const CoreFilesAllowed&) = delete;
  CoreFilesAllowed& operator=(const CoreFilesAllowed&) = delete;
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  bool ok_ = false;
};

// Does an ordinary process of ours, killed by SIGABRT in `dir`, dump core? If not (a
// core_pattern piping to a handler this machine lacks, a container that forbids dumps), the
// daemon's "no dump" would prove nothing.
bool machine_writes_core_dumps(const std::string& dir) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(1);
    for (;;) ::pause();
  }
  if (pid < 0) return false;
  ::usleep(100'000);
  ::kill(pid, SIGABRT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFSIGNALED(status) && WCOREDUMP(status);
}

std::string core_pattern() {
  std::ifstream in("/proc/sys/kernel/core_pattern");
  std::string line;
  std::getline(in, line);
  return line;
}

// Files named like a core file ("core", "core.<pid>") in `dir`.
size_t core_files_in(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name == "core" || name.rfind("core.", 0) == 0) ++n;
  }
  return n;
}

TEST(CoreDump, ACrashedDaemonLeavesNoCoreDump) {
  CoreFilesAllowed allowed;
  if (!allowed.ok()) GTEST_SKIP() << "cannot raise RLIMIT_CORE here";
  TempDir control;
  if (!machine_writes_core_dumps(control.path())) {
    GTEST_SKIP() << "this machine writes no core dumps even for an ordinary process "
                    "(core_pattern: "
                 << core_pattern() << ")";
  }

  ProxyUnderTest p;
  const std::string cwd =
      std::filesystem::read_symlink("/proc/" + std::to_string(p.daemon.pid()) + "/cwd").string();
  const size_t before = core_files_in(cwd);
  p.daemon.send_signal(SIGABRT);
  std::optional<ExitStatus> status = p.daemon.wait_for_exit(seconds(20));
  ASSERT_TRUE(status.has_value()) << "the daemon did not end on SIGABRT";
  EXPECT_EQ(status->signal, SIGABRT) << status->describe();
  EXPECT_FALSE(status->core_dumped) << "the kernel wrote a core dump of the daemon (in " << cwd
                                    << ", core_pattern " << core_pattern() << ")";
  EXPECT_EQ(core_files_in(cwd), before) << "a core file appeared in the daemon's folder " << cwd;
}

}  // namespace
}  // namespace fathom::test
