// The fathom-auth CLI as the tests run it: build/fathom-auth with arguments and environment,
// stdout and stderr captured in files of a scratch folder. run_cli() waits for the end;
// CliProcess keeps it running so that a test can read what it printed so far (the token that
// `rotate` prints before it waits) and act on it.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/child_process.h"
#include "support/temp_dir.h"

namespace fathom::test {

using CliEnv = std::vector<std::pair<std::string, std::string>>;

struct CliResult {
  ExitStatus status;
  bool timed_out = false;
  std::string out;
  std::string err;

  int code() const { return status.exited ? status.code : -1; }
  std::string describe() const;  // exit status, stdout and stderr, for failure messages
};

class CliProcess {
 public:
  // Starts `fathom-auth ARGS` with `env` added to the test's environment. FATHOM_ADMIN_TOKEN
  // and FATHOM_URL are cleared unless `env` sets them, so that the test's own environment never
  // decides a result.
  CliProcess(const std::vector<std::string>& args, const CliEnv& env, const TempDir& scratch);

  std::string out() const { return read_file(out_path_); }
  std::string err() const { return read_file(err_path_); }
  // Waits until stdout holds a complete first line and returns it (without the newline);
  // nullopt on timeout or if the process ended without printing one.
  std::optional<std::string> wait_for_first_line(std::chrono::milliseconds timeout);
  // Waits for the end (SIGKILL after `timeout`, then timed_out is set).
  CliResult finish(std::chrono::milliseconds timeout);

 private:
  std::string out_path_;
  std::string err_path_;
  std::unique_ptr<ChildProcess> child_;
};

CliResult run_cli(const std::vector<std::string>& args, const CliEnv& env, const TempDir& scratch,
                  std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace fathom::test
