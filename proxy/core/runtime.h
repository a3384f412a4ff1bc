// One immutable snapshot of everything a request needs from configuration: the validated config,
// the loaded plugins and what is derived from them. A reload builds a new snapshot and publishes
// it; requests already running keep the one they started with.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "config/config.h"
#include "http/parser.h"
#include "plugin_host/plugin_loader.h"
#include "tls/tls_context.h"

namespace fathom {

struct Runtime {
  Config config;
  std::shared_ptr<PluginSet> plugins;
  // GET /v1/auth/explain over `plugins` (declared after them: it refers to them).
  std::unique_ptr<RouteHandler> explain;
  http::HeadLimits head_limits;
  sockaddr_storage upstream_addr{};
  socklen_t upstream_addr_len = 0;
  // Built afresh by every reload, so that a renewed certificate is read on SIGHUP. Connections
  // hold their SSL (and through it the context) for their whole life, whatever a reload does.
  tls::ContextPtr listener_tls;  // null: the listeners speak plain HTTP
  tls::ContextPtr upstream_tls;  // null: upstream.url is http://
  uint64_t generation = 0;
};

// Resolves the upstream address, reads the TLS files and loads the plugins. Throws ConfigError
// (naming tls.cert, tls.key or upstream.ca_file for a file that cannot be used) or PluginError.
// `services` is lent to the plugins' hosts (null for check-config).
std::shared_ptr<const Runtime> build_runtime(Config config, uint64_t generation,
                                             HostServices* services);

// Where workers pick up the newest snapshot. Reading is one relaxed atomic load per request
// unless a reload happened, so the hot path takes no lock.
class RuntimeHolder {
 public:
  void publish(std::shared_ptr<const Runtime> rt);
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  std::shared_ptr<const Runtime> load() const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Runtime> current_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace fathom
