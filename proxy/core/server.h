// `fathom-auth serve`: loads the config, starts the workers, and turns signals into actions:
// SIGHUP reloads config and plugins (a bad new config is refused and the old one keeps
// serving), SIGTERM and SIGINT drain in-flight requests and exit 0.
#pragma once

#include <string>

namespace fathom {

// Returns the process exit code: 0 after a clean drain, 1 when it could not listen, 2 for a bad
// config or plugin.
int serve(const std::string& config_path, const std::string& exe_dir);

// `fathom-auth check-config FILE`: validates the config and loads its plugins without serving.
int check_config(const std::string& config_path, const std::string& exe_dir);

// `fathom-auth bootstrap --config FILE [--force]`: mints an admin token and prints it, unless a
// lasting admin token is active; with `force`, whatever is active (the recovery path, recorded in
// the audit). Needs the store and the audit trail to itself: refuses, saying the daemon runs,
// while the daemon holds their locks.
int bootstrap(const std::string& config_path, const std::string& exe_dir, bool force);

}  // namespace fathom
