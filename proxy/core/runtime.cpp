#include "core/runtime.h"

#include <netdb.h>

#include <cstring>

#include "core/explain.h"

namespace fathom {

std::shared_ptr<const Runtime> build_runtime(Config config, uint64_t generation,
                                             HostServices* services) {
  auto rt = std::make_shared<Runtime>();
  rt->generation = generation;
  rt->head_limits.max_request_line = config.limits.max_request_line;
  rt->head_limits.max_head_bytes = config.limits.max_header_bytes;
  rt->head_limits.max_headers = config.limits.max_headers;
  rt->head_limits.max_body_bytes = config.limits.max_body_bytes;

  // Resolved once here, so that the request path never waits on DNS.
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(config.upstream.port);
  int rc = getaddrinfo(config.upstream.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0 || res == nullptr) {
    throw ConfigError(config.source_path + ": upstream.url: cannot resolve \"" +
                      config.upstream.host + "\": " + gai_strerror(rc));
  }
  std::memcpy(&rt->upstream_addr, res->ai_addr, res->ai_addrlen);
  rt->upstream_addr_len = static_cast<socklen_t>(res->ai_addrlen);
  freeaddrinfo(res);

  try {
    if (config.tls.enabled()) {
      rt->listener_tls = tls::make_server_context(config.tls.cert, config.tls.key);
    }
    if (config.upstream.scheme == "https") {
      rt->upstream_tls = tls::make_client_context(config.upstream.ca_file, "upstream.ca_file");
    }
  } catch (const tls::TlsError& e) {
    throw ConfigError(config.source_path + ": " + e.key() + ": " + e.what());
  }

  rt->plugins = load_plugins(config.plugins, services);
  rt->explain = std::make_unique<ExplainHandler>(*rt->plugins);
  rt->config = std::move(config);
  return rt;
}

void RuntimeHolder::publish(std::shared_ptr<const Runtime> rt) {
  std::lock_guard lock(mu_);
  uint64_t gen = rt != nullptr ? rt->generation : 0;
  current_ = std::move(rt);
  generation_.store(gen, std::memory_order_release);
}

std::shared_ptr<const Runtime> RuntimeHolder::load() const {
  std::lock_guard lock(mu_);
  return current_;
}

}  // namespace fathom
