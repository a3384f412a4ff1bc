// Loads the plugins a config names: dlopen, descriptor check (ABI version and toolchain), create.
// A PluginSet is immutable once built and shared by the workers; a reload builds a new one and the
// old one is destroyed (and its objects unloaded) when the last request using it ends.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.h"
#include "fathom/plugin.h"

namespace fathom {

class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class LoadedPlugin;

// What the daemon lends every plugin's Host: the token store and the minting of secrets. The
// plugin host library knows nothing of how they are made; check-config passes none.
class HostServices {
 public:
  virtual ~HostServices() = default;
  virtual TokenStore* store() = 0;
  virtual AuditLog* audit() = 0;
  virtual NewSecret new_secret() = 0;
  virtual std::string new_token_id() = 0;
  virtual NewSecret new_pair_code() = 0;
  virtual std::string new_pair_code_id() = 0;
  virtual std::string hash_secret(std::string_view secret) = 0;
  virtual int rate_limited(std::string_view client_address) = 0;
  virtual void count_failure(std::string_view client_address) = 0;
};

class PluginSet {
 public:
  PluginSet() = default;
  ~PluginSet();
  PluginSet(const PluginSet&) = delete;
  PluginSet& operator=(const PluginSet&) = delete;

  // In config order.
  const std::vector<ScopePolicy*>& policies() const { return policies_; }
  const std::vector<RouteHandler*>& handlers() const { return handlers_; }
  const std::vector<std::string>& names() const { return names_; }
  // The configured name of policies()[i] and handlers()[i] (for explain and logs).
  const std::vector<std::string>& policy_names() const { return policy_names_; }
  const std::vector<std::string>& handler_names() const { return handler_names_; }

 private:
  friend std::shared_ptr<PluginSet> load_plugins(const std::vector<PluginConfig>&, HostServices*);
  std::vector<std::unique_ptr<LoadedPlugin>> loaded_;
  std::vector<ScopePolicy*> policies_;
  std::vector<RouteHandler*> handlers_;
  std::vector<std::string> names_;
  std::vector<std::string> policy_names_;
  std::vector<std::string> handler_names_;
};

// Throws PluginError naming the plugin and the problem: file not found, dlopen's message, missing
// symbol, "built for plugin ABI 2, this daemon speaks ABI 1", toolchain mismatch, or the plugin's
// own config error.
// `services` may be null (check-config, tests): plugins then see no store, and minting throws.
std::shared_ptr<PluginSet> load_plugins(const std::vector<PluginConfig>& plugins,
                                        HostServices* services = nullptr);

}  // namespace fathom
