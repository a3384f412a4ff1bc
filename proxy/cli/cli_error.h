// The one way a CLI command fails: a message for stderr and the exit code it stands for. Thrown
// from wherever the failure is found and turned into output once, in the command's runner.
#pragma once

#include <stdexcept>
#include <string>

namespace fathom::cli {

class CliError : public std::runtime_error {
 public:
  CliError(int exit_code, const std::string& message)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace fathom::cli
