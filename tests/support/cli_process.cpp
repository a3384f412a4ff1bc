#include "support/cli_process.h"

#include <atomic>
#include <thread>

#include "support/binaries.h"

namespace fathom::test {

namespace {

// Each run gets its own output files, so several runs can share one scratch folder.
std::string next_run_name() {
  static std::atomic<int> counter{0};
  return "cli-run-" + std::to_string(++counter);
}

}  // namespace

std::string CliResult::describe() const {
  return status.describe() + (timed_out ? " (timed out)" : "") + "\n--- stdout:\n" + out +
         "--- stderr:\n" + err;
}

CliProcess::CliProcess(const std::vector<std::string>& args, const CliEnv& env,
                       const TempDir& scratch) {
  const std::string name = next_run_name();
  out_path_ = scratch.file(name + ".stdout");
  err_path_ = scratch.file(name + ".stderr");
  ChildSpec spec;
  spec.argv.push_back(daemon_binary());
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.stdout_path = out_path_;
  spec.stderr_path = err_path_;
  spec.env = {{"FATHOM_ADMIN_TOKEN", ""}, {"FATHOM_URL", ""}};
  for (const auto& [key, value] : env) {
    bool replaced = false;
    for (auto& entry : spec.env) {
      if (entry.first == key) {
        entry.second = value;
        replaced = true;
      }
    }
    if (!replaced) spec.env.emplace_back(key, value);
  }
  child_ = std::make_unique<ChildProcess>(spec);
}

std::optional<std::string> CliProcess::wait_for_first_line(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::string text = out();
    if (size_t nl = text.find('\n'); nl != std::string::npos) return text.substr(0, nl);
    if (!child_->running() || std::chrono::steady_clock::now() > deadline) {
      text = out();  // what it printed just before it ended
      if (size_t nl = text.find('\n'); nl != std::string::npos) return text.substr(0, nl);
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

CliResult CliProcess::finish(std::chrono::milliseconds timeout) {
  CliResult result;
  if (auto status = child_->wait_for(timeout)) {
    result.status = *status;
  } else {
    result.timed_out = true;
    result.status = child_->kill_and_wait();
  }
  result.out = out();
  result.err = err();
  return result;
}

CliResult run_cli(const std::vector<std::string>& args, const CliEnv& env, const TempDir& scratch,
                  std::chrono::milliseconds timeout) {
  CliProcess cli(args, env, scratch);
  return cli.finish(timeout);
}

}  // namespace fathom::test
