// Command-line options for the CLI's subcommands: `--name value` and `--name=value`, flags,
// repeated options, positionals, and `--` to end options. Anything unknown is a usage error that
// names the option (without a value it may carry: that could be a pasted secret).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fathom::cli {

struct OptionSpec {
  std::string_view name;  // with the leading "--"
  bool takes_value = false;
  bool repeatable = false;
};

struct ParsedArgs {
  std::map<std::string, std::vector<std::string>, std::less<>> options;
  std::vector<std::string> positionals;
  bool help = false;  // --help or -h anywhere

  bool has(std::string_view name) const { return options.find(name) != options.end(); }
  std::optional<std::string> value(std::string_view name) const;
  std::vector<std::string> values(std::string_view name) const;
};

// The options every command that talks to the admin API takes: --url, --ca-file,
// --insecure-http, --token-file, --json.
std::vector<OptionSpec> with_api_options(std::vector<OptionSpec> specs);

// Parses `args` against `specs`. Throws CliError(kExitUsage) naming the problem; `--token` gets
// its own explanation (a secret on the command line is readable by every local user).
ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                      std::string_view command);

// A non-negative whole number of seconds (or a count) from an option's value; `what` names the
// option in the error.
long long parse_count(std::string_view text, std::string_view what, long long min, long long max);

}  // namespace fathom::cli
