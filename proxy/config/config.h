// The daemon's configuration, validated once when it is loaded. The request path reads only this
// immutable result and never parses config.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/ip_address.h"

namespace fathom {

// Thrown for a config that cannot be used; the message names the key and the problem, e.g.
// "conf/dev.json: limits.max_body_bytes: must be a positive integer".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ListenAddress {
  std::string host;  // numeric IPv4 or IPv6 (without brackets), or "localhost"
  uint16_t port = 0;
};

struct UpstreamConfig {
  std::string url = "http://127.0.0.1:8202";
  std::string scheme;  // "http" or "https"
  std::string host;    // as in the URL, without brackets
  uint16_t port = 0;
  std::string authority;  // "host:port" as sent in the Host header upstream
  bool forward_authorization = false;
  size_t max_idle_connections = 64;  // per worker
  // https: the CA certificates (PEM) the lake's chain is verified against, resolved; empty
  // means the system's CA store.
  std::string ca_file;
};

// TLS on every listener: both paths set (resolved) or neither. The files are read and checked
// when the runtime is built (start, reload, check-config), not here.
struct TlsConfig {
  std::string cert;  // PEM certificate chain, leaf first
  std::string key;   // PEM private key of the leaf
  bool enabled() const { return !cert.empty(); }
};

struct PluginConfig {
  std::string name;
  std::string path;         // resolved: absolute path of the .so
  std::string config_json;  // the plugin's own "config" object as JSON text, "null" if absent
};

struct LimitsConfig {
  size_t max_request_line = 8 * 1024;
  size_t max_header_bytes = 32 * 1024;
  size_t max_headers = 100;
  uint64_t max_body_bytes = uint64_t{1} << 30;
  size_t max_handler_body = 1 << 20;  // bodies of locally answered routes are read whole
  size_t max_connections = 100000;    // per worker; beyond it new connections are closed
  uint32_t auth_failures_per_minute = 20;
  uint32_t auth_failure_burst = 10;
  // Store lookups a rate-limited address may still make per minute for tokens not in the cache,
  // so that a valid token behind the same NAT as a guesser still gets in.
  uint32_t limited_lookups_per_minute = 6;
  // Header names with '_' are dropped: CGI, WSGI, PHP and Rack read '_' as '-', so
  // "X_Fathom_Token_Id" would reach them as the proxy's own identity header.
  bool allow_underscores_in_headers = false;
  // A local route answered without a token (POST /v1/pair) reads at most this much body.
  size_t max_public_body = 1024;
  // Bytes of local request bodies held at once by one worker; beyond it, 503 overloaded.
  size_t max_local_body_bytes = 64 << 20;
};

struct TimeoutsConfig {
  std::chrono::milliseconds header_read{10'000};
  std::chrono::milliseconds idle{60'000};
  std::chrono::milliseconds upstream_connect{5'000};
  std::chrono::milliseconds upstream_response{60'000};
  std::chrono::milliseconds drain{30'000};  // SIGTERM: how long in-flight requests may finish
  // The whole body of a locally answered request must arrive within this, however it trickles.
  std::chrono::milliseconds body_read{30'000};
};

struct StoreConfig {
  std::string backend = "file";    // "file" (the embedded store) or "redis"
  std::string path;                // file: resolved; default <state_dir>/store
  std::string url;                 // redis: redis://[:password@]host:port/db or unix:///path
  std::string prefix = "fathom:";  // redis: every key starts with it
};

struct CacheConfig {
  std::chrono::milliseconds ttl{30'000};          // a valid token's entry; a safety net only
  std::chrono::milliseconds negative_ttl{5'000};  // an unknown or revoked token's entry
  size_t max_entries = 100'000;
  // While the store cannot be reached, an entry that expired less than this long ago still
  // answers (stale-if-error); anything else is 503 store_unavailable.
  std::chrono::milliseconds stale_if_error{30'000};
};

struct AuditConfig {
  std::string path;            // resolved; default <state_dir>/audit
  unsigned retain_days = 365;  // events older than this are pruned; 0 keeps them forever
};

struct TokensConfig {
  // A token unused for this many days becomes expired (never the last admin token); 0 = never.
  unsigned idle_expiry_days = 0;
};

struct MetricsConfig {
  // GET /metrics, plain HTTP and unauthenticated, on its own address; nullopt turns it off
  // ("" or null in the file). Loopback by default: see docs/operations.md, "Metrics".
  std::optional<ListenAddress> listen = ListenAddress{"127.0.0.1", 9201};
};

enum class LogLevelSetting { debug, info, warn, error };

struct Config {
  std::string source_path;  // the file it was loaded from
  std::vector<ListenAddress> listen{{"127.0.0.1", 8201}};
  unsigned workers = 1;  // resolved: 0 in the file means one per core
  UpstreamConfig upstream;
  std::string state_dir = "/var/lib/fathom-auth";
  std::string plugin_dir;  // resolved
  std::vector<PluginConfig> plugins;
  LimitsConfig limits;
  TimeoutsConfig timeouts;
  // Peers whose X-Forwarded-For (rightmost untrusted hop) or PROXY protocol v2 header names the
  // client; empty: the TCP peer is the client.
  std::vector<net::Cidr> trusted_proxies;
  StoreConfig store;
  CacheConfig cache;
  AuditConfig audit;
  TokensConfig tokens;
  MetricsConfig metrics;
  TlsConfig tls;
  LogLevelSetting log_level = LogLevelSetting::info;
};

// Reads JSON with // and /* */ comments, validates every key, resolves relative paths against
// the config file's folder, and returns the result. Throws ConfigError.
// `exe_dir` is the folder of the running executable, for the default plugin_dir.
Config load_config(const std::string& path, const std::string& exe_dir);

// Same, from text already read (used by tests and the fuzzer); `origin` names it in messages.
Config parse_config(std::string_view text, const std::string& origin, const std::string& base_dir,
                    const std::string& exe_dir);

// Removes // and /* */ comments outside strings, keeping line numbers. Throws ConfigError for an
// unterminated comment or string.
std::string strip_json_comments(std::string_view text, const std::string& origin);

}  // namespace fathom
