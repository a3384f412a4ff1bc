#include "cli/arguments.h"

#include <charconv>

#include "cli/cli_error.h"
#include "cli/exit_codes.h"

namespace fathom::cli {

namespace {

[[noreturn]] void usage(std::string_view command, const std::string& message) {
  throw CliError(kExitUsage, message + " (see 'fathom-auth " + std::string(command) + " --help')");
}

const OptionSpec* find_spec(const std::vector<OptionSpec>& specs, std::string_view name) {
  for (const OptionSpec& s : specs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace

std::optional<std::string> ParsedArgs::value(std::string_view name) const {
  auto it = options.find(name);
  if (it == options.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> ParsedArgs::values(std::string_view name) const {
  auto it = options.find(name);
  return it == options.end() ? std::vector<std::string>{} : it->second;
}

std::vector<OptionSpec> with_api_options(std::vector<OptionSpec> specs) {
  specs.push_back({"--url", true, false});
  specs.push_back({"--ca-file", true, false});
  specs.push_back({"--insecure-http", false, false});
  specs.push_back({"--token-file", true, false});
  specs.push_back({"--json", false, false});
  return specs;
}

ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                      std::string_view command) {
  ParsedArgs out;
  bool options_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (options_ended || !a.starts_with("-") || a == "-") {
      out.positionals.emplace_back(a);
      continue;
    }
    if (a == "--") {
      options_ended = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      out.help = true;
      continue;
    }
    size_t eq = a.find('=');
    std::string_view name = a.substr(0, eq);
    const OptionSpec* spec = find_spec(specs, name);
    // `audit --token ID_OR_NAME` names the token to filter by; everywhere else --token could only
    // mean the admin token itself.
    if (spec == nullptr && (name == "--token" || name == "--admin-token")) {
      throw CliError(kExitUsage,
                     std::string(name) +
                         " is not accepted: a token on the command line is visible to every "
                         "local user (ps, /proc) and stays in shell history. Put it in the "
                         "FATHOM_ADMIN_TOKEN environment variable, or in a file only you can "
                         "read and pass --token-file FILE.");
    }
    if (spec == nullptr) usage(command, "unknown option " + std::string(name));
    std::vector<std::string>& slot = out.options[std::string(name)];
    if (!slot.empty() && !spec->repeatable) usage(command, std::string(name) + " given twice");
    if (!spec->takes_value) {
      if (eq != std::string_view::npos) usage(command, std::string(name) + " takes no value");
      slot.emplace_back();
      continue;
    }
    if (eq != std::string_view::npos) {
      slot.emplace_back(a.substr(eq + 1));
    } else if (i + 1 < args.size()) {
      slot.push_back(args[++i]);
    } else {
      usage(command, std::string(name) + " needs a value");
    }
  }
  return out;
}

long long parse_count(std::string_view text, std::string_view what, long long min, long long max) {
  long long v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
    throw CliError(kExitUsage, std::string(what) + ": must be a whole number from " +
                                   std::to_string(min) + " to " + std::to_string(max));
  }
  return v;
}

}  // namespace fathom::cli
