// Loading and validating the config. Everything the daemon will rely on is checked here, once, so
// that the request path only reads plain fields. Unknown keys are refused rather than ignored: a
// typo such as "max_body_byte" would otherwise silently leave the default in force.

#include "config/config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <set>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>

#include "store_redis/redis_url.h"

namespace fathom {

namespace {

// ordered_json keeps the file's key order, so errors come in the order the user wrote the keys
// and a plugin's config text reads like the user's.
using Json = nlohmann::ordered_json;

constexpr size_t kMaxConfigBytes = 16
                                   << 20;  // far beyond any real config; guards against /dev/zero
constexpr size_t kMaxNesting = 64;         // dump() and our checks recurse; keep them shallow
constexpr const char* kInstalledPluginDir = "/usr/lib/fathom-auth/plugins";

// Where the config came from and what relative paths are relative to.
struct Source {
  const std::string& origin;
  const std::string& base_dir;

  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw ConfigError(origin + ": " + key + ": " + problem);
  }
};

std::string join_key(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

std::string in_quotes(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// ---------------------------------------------------------------------------------------------
// Parsing

// nlohmann/json keeps the last of two equal keys without a word. A config that sets "workers"
// twice is a mistake worth naming, and the parser callback is the only place that sees both.
// The same walk bounds the nesting depth.
class StructureCheck {
 public:
  explicit StructureCheck(const std::string& origin) : origin_(origin) {}

  bool on_event(Json::parse_event_t event, const Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        if (frames_.size() >= kMaxNesting) {
          throw ConfigError(origin_ + ": " + path(frames_.size()) + ": nested deeper than " +
                            std::to_string(kMaxNesting) + " levels");
        }
        frames_.push_back({event == Json::parse_event_t::array_start, 0, {}, {}});
        break;
      case Json::parse_event_t::key: {
        Frame& top = frames_.back();
        std::string key = parsed.get<std::string>();
        if (!top.keys.insert(key).second) {
          throw ConfigError(origin_ + ": " + path(frames_.size() - 1, key) + ": duplicate key");
        }
        top.key = std::move(key);
        break;
      }
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        frames_.pop_back();
        element_done();
        break;
      case Json::parse_event_t::value:
        element_done();
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool array;
    size_t index;                // arrays: the element being read
    std::set<std::string> keys;  // objects: keys seen so far
    std::string key;             // objects: the member being read
  };

  void element_done() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  // The dotted key leading into the first `count` frames' current members, then `last`.
  std::string path(size_t count, const std::string& last = "") const {
    std::string out;
    for (size_t i = 0; i < count; ++i) {
      if (frames_[i].array) {
        out += "[" + std::to_string(frames_[i].index) + "]";
      } else {
        if (!out.empty()) out += ".";
        out += frames_[i].key;
      }
    }
    if (!last.empty()) out = join_key(out, last);
    return out.empty() ? "(top level)" : out;
  }

  const std::string& origin_;
  std::vector<Frame> frames_;
};

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1,
// column 2: "; we say where ourselves and keep only what went wrong.
std::string json_problem(const char* what) {
  std::string_view s(what);
  if (size_t at = s.find("parse error"); at != std::string_view::npos) {
    if (size_t colon = s.find(": ", at); colon != std::string_view::npos) {
      return std::string(s.substr(colon + 2));
    }
  }
  if (s.starts_with("[json.exception.")) {
    if (size_t end = s.find("] "); end != std::string_view::npos) s.remove_prefix(end + 2);
  }
  return std::string(s);
}

Json parse_json(const std::string& text, const std::string& origin) {
  StructureCheck check(origin);
  try {
    return Json::parse(text, [&check](int, Json::parse_event_t event, Json& parsed) {
      return check.on_event(event, parsed);
    });
  } catch (const Json::parse_error& e) {
    // e.byte counts from 1 and may point one past the end (unexpected end of input).
    const size_t end = std::min<size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    size_t line = 1, line_start = 0;
    for (size_t i = 0; i < end; ++i) {
      if (text[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    throw ConfigError(origin + ": line " + std::to_string(line) + ", column " +
                      std::to_string(end - line_start + 1) + ": " + json_problem(e.what()));
  } catch (const Json::exception& e) {
    // For instance "number overflow parsing '1e999'", which nlohmann reports without a position.
    throw ConfigError(origin + ": invalid JSON: " + json_problem(e.what()));
  }
}

// ---------------------------------------------------------------------------------------------
// Typed getters: each names the key and the accepted values when it refuses.

const Json* member(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

void refuse_unknown_keys(const Source& src, const Json& object, const std::string& prefix,
                         std::initializer_list<std::string_view> known) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& key = it.key();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string problem = "unknown key";
    // A near miss is almost always a typo; saying which key was meant saves a trip to the docs.
    if (key.size() < 64) {
      for (std::string_view candidate : known) {
        if (edit_distance(key, candidate) <= 2) {
          problem += " (did you mean " + in_quotes(candidate) + "?)";
          break;
        }
      }
    }
    src.fail(join_key(prefix, key), problem);
  }
}

void require_object(const Source& src, const Json& value, const std::string& key) {
  if (!value.is_object()) src.fail(key, "must be an object { … }");
}

uint64_t get_uint(const Source& src, const Json& value, const std::string& key, uint64_t min,
                  uint64_t max) {
  bool ok = false;
  uint64_t n = 0;
  if (value.is_number_unsigned()) {
    n = value.get<uint64_t>();
    ok = true;
  } else if (value.is_number_integer()) {
    const int64_t signed_n = value.get<int64_t>();
    ok = signed_n >= 0;
    n = static_cast<uint64_t>(signed_n);
  }
  if (!ok || n < min || n > max) {
    src.fail(key, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return n;
}

bool get_bool(const Source& src, const Json& value, const std::string& key) {
  if (!value.is_boolean()) src.fail(key, "must be true or false");
  return value.get<bool>();
}

const std::string& get_string(const Source& src, const Json& value, const std::string& key) {
  if (!value.is_string()) src.fail(key, "must be a string");
  return value.get_ref<const std::string&>();
}

std::chrono::milliseconds get_seconds(const Source& src, const Json& value,
                                      const std::string& key) {
  const char* accepted =
      "must be a number of seconds more than 0 and at most 86400 (e.g. 10 or 0.5)";
  if (!value.is_number()) src.fail(key, accepted);
  const double seconds = value.get<double>();
  if (!(seconds > 0 && seconds <= 86400)) src.fail(key, accepted);
  const long long ms = std::llround(seconds * 1000);
  // Timers count milliseconds; a smaller value would silently become "no time at all".
  if (ms < 1) src.fail(key, "must be at least 0.001 (one millisecond)");
  return std::chrono::milliseconds(ms);
}

// Relative paths are relative to the config file's folder, not to wherever the daemon happens
// to be started from; the result is absolute because the daemon may change directory.
std::string resolve_path(const Source& src, const Json& value, const std::string& key) {
  const std::string& text = get_string(src, value, key);
  if (text.empty()) src.fail(key, "must not be empty");
  if (text.find('\0') != std::string::npos) src.fail(key, "must not contain a NUL character");
  namespace fs = std::filesystem;
  fs::path path(text);
  if (path.is_relative()) {
    std::error_code ec;
    fs::path base = fs::absolute(src.base_dir.empty() ? fs::path(".") : fs::path(src.base_dir), ec);
    if (ec) base = src.base_dir;
    path = base / path;
  }
  std::string out = path.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Addresses

bool is_ipv4(const std::string& s) {
  in_addr addr{};
  return inet_pton(AF_INET, s.c_str(), &addr) == 1;
}

bool is_ipv6(const std::string& s) {
  in6_addr addr{};
  return inet_pton(AF_INET6, s.c_str(), &addr) == 1;
}

// 1..65535 in plain digits, or 0 for anything else.
uint16_t parse_port(std::string_view s) {
  if (s.empty() || s.size() > 5) return 0;
  unsigned n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  return n >= 1 && n <= 65535 ? static_cast<uint16_t>(n) : 0;
}

ListenAddress parse_listen_address(const Source& src, const Json& value, const std::string& key) {
  if (!value.is_string()) src.fail(key, "must be a \"host:port\" string, e.g. \"127.0.0.1:8201\"");
  const std::string& text = value.get_ref<const std::string&>();
  const std::string shown = in_quotes(text) + ": ";
  ListenAddress address;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      src.fail(key, shown + "must be \"[IPv6 address]:port\", e.g. \"[::1]:8201\"");
    }
    address.host = text.substr(1, close - 1);
    if (!is_ipv6(address.host))
      src.fail(key, shown + in_quotes(address.host) + " is not an IPv6 address");
    port_text = std::string_view(text).substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos) {
      src.fail(key, shown + "must be \"host:port\", e.g. \"127.0.0.1:8201\"");
    }
    address.host = text.substr(0, colon);
    if (address.host.find(':') != std::string::npos) {
      src.fail(key, shown + "IPv6 addresses go in brackets, e.g. \"[::1]:8201\"");
    }
    // Names other than localhost would need resolving, and a listener should not depend on DNS.
    if (address.host != "localhost" && !is_ipv4(address.host)) {
      src.fail(key, shown +
                        "the host must be a numeric IPv4 address, a bracketed IPv6 address or "
                        "localhost");
    }
    port_text = std::string_view(text).substr(colon + 1);
  }
  address.port = parse_port(port_text);
  if (address.port == 0) src.fail(key, shown + "the port must be from 1 to 65535");
  return address;
}

std::vector<ListenAddress> parse_listen(const Source& src, const Json& value) {
  std::vector<ListenAddress> out;
  if (value.is_string()) {
    out.push_back(parse_listen_address(src, value, "listen"));
    return out;
  }
  if (!value.is_array() || value.empty()) {
    src.fail("listen", "must be a \"host:port\" string or a non-empty array of them");
  }
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string key = "listen[" + std::to_string(i) + "]";
    ListenAddress address = parse_listen_address(src, value[i], key);
    for (const ListenAddress& earlier : out) {
      if (earlier.host == address.host && earlier.port == address.port) {
        src.fail(key, in_quotes(value[i].get<std::string>()) + " is listed twice");
      }
    }
    out.push_back(std::move(address));
  }
  return out;
}

bool is_hostname(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.front() == '-' || s.front() == '.') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-';
  });
}

void parse_upstream_url(const Source& src, const std::string& url, UpstreamConfig& upstream) {
  const std::string key = "upstream.url";
  const std::string example =
      "must be an http:// or https:// URL such as \"http://127.0.0.1:8202\"";
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) src.fail(key, example);
  std::string scheme = url.substr(0, scheme_end);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "http" && scheme != "https") src.fail(key, example);

  const std::string_view rest = std::string_view(url).substr(scheme_end + 3);
  const size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  const std::string_view authority = rest.substr(0, authority_end);
  const std::string_view tail = rest.substr(authority_end);
  if (!tail.empty() && tail != "/") {
    // Requests are forwarded with their own path; a base path would need rewriting we do not do.
    src.fail(key, "must not have a path, query or fragment (found " + in_quotes(tail) +
                      "); requests are forwarded with their own path");
  }
  if (authority.find('@') != std::string_view::npos) {
    src.fail(key, "must not contain user:password@");
  }

  std::string_view port_part;
  bool bracketed = false;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) src.fail(key, "the IPv6 address has no closing ]");
    upstream.host = std::string(authority.substr(1, close - 1));
    if (!is_ipv6(upstream.host))
      src.fail(key, in_quotes(upstream.host) + " is not an IPv6 address");
    bracketed = true;
    port_part = authority.substr(close + 1);
  } else {
    const size_t colon = std::min(authority.find(':'), authority.size());
    upstream.host = std::string(authority.substr(0, colon));
    if (!is_hostname(upstream.host)) {
      src.fail(key, "the host must be a name, an IPv4 address or a bracketed IPv6 address");
    }
    port_part = authority.substr(colon);
  }
  if (port_part.empty()) {
    upstream.port = scheme == "https" ? 443 : 80;
  } else {
    upstream.port = port_part[0] == ':' ? parse_port(port_part.substr(1)) : 0;
    if (upstream.port == 0) src.fail(key, "the port must be from 1 to 65535");
  }
  upstream.scheme = scheme;
  upstream.url = url;
  upstream.authority =
      (bracketed ? "[" + upstream.host + "]" : upstream.host) + ":" + std::to_string(upstream.port);
}

// ---------------------------------------------------------------------------------------------
// Sections

UpstreamConfig parse_upstream(const Source& src, const Json& value) {
  require_object(src, value, "upstream");
  refuse_unknown_keys(src, value, "upstream",
                      {"url", "forward_authorization", "max_idle_connections", "ca_file"});
  UpstreamConfig upstream;
  const Json* url = member(value, "url");
  parse_upstream_url(src, url ? get_string(src, *url, "upstream.url") : upstream.url, upstream);
  if (const Json* v = member(value, "forward_authorization")) {
    upstream.forward_authorization = get_bool(src, *v, "upstream.forward_authorization");
  }
  if (const Json* v = member(value, "max_idle_connections")) {
    upstream.max_idle_connections = get_uint(src, *v, "upstream.max_idle_connections", 0, 10000);
  }
  if (const Json* v = member(value, "ca_file")) {
    upstream.ca_file = resolve_path(src, *v, "upstream.ca_file");
    if (upstream.scheme != "https") {
      src.fail("upstream.ca_file", "is only for an https:// upstream.url");
    }
  }
  return upstream;
}

TlsConfig parse_tls(const Source& src, const Json& value) {
  require_object(src, value, "tls");
  refuse_unknown_keys(src, value, "tls", {"cert", "key"});
  TlsConfig tls;
  const Json* cert = member(value, "cert");
  const Json* key = member(value, "key");
  // One without the other is a half-done edit, not a request for plain TCP.
  if (cert == nullptr && key != nullptr) src.fail("tls.cert", "is required with tls.key");
  if (cert != nullptr && key == nullptr) src.fail("tls.key", "is required with tls.cert");
  if (cert != nullptr) {
    tls.cert = resolve_path(src, *cert, "tls.cert");
    tls.key = resolve_path(src, *key, "tls.key");
  }
  return tls;
}

bool is_plugin_name(std::string_view s) {
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (s.empty() || s.size() > 64 || !lower_or_digit(s[0])) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return lower_or_digit(c) || c == '_' || c == '-'; });
}

std::vector<PluginConfig> parse_plugins(const Source& src, const Json& value,
                                        const std::string& plugin_dir) {
  if (!value.is_array()) src.fail("plugins", "must be an array of {\"name\": …} objects");
  std::vector<PluginConfig> out;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string prefix = "plugins[" + std::to_string(i) + "]";
    const Json& entry = value[i];
    require_object(src, entry, prefix);
    refuse_unknown_keys(src, entry, prefix, {"name", "path", "config"});
    PluginConfig plugin;
    const Json* name = member(entry, "name");
    if (!name) src.fail(prefix + ".name", "is required");
    plugin.name = get_string(src, *name, prefix + ".name");
    // The name becomes a file name and a log field, so it stays plain.
    if (!is_plugin_name(plugin.name)) {
      src.fail(prefix + ".name",
               "must be lowercase letters, digits, '-' or '_' (starting with a letter or digit), "
               "at most 64 characters");
    }
    if (const Json* path = member(entry, "path")) {
      plugin.path = resolve_path(src, *path, prefix + ".path");
    } else {
      plugin.path = plugin_dir + "/" + plugin.name + ".so";
    }
    const Json* config = member(entry, "config");
    plugin.config_json =
        config ? config->dump(-1, ' ', false, Json::error_handler_t::replace) : "null";
    out.push_back(std::move(plugin));
  }
  return out;
}

LimitsConfig parse_limits(const Source& src, const Json& value) {
  require_object(src, value, "limits");
  refuse_unknown_keys(src, value, "limits",
                      {"max_request_line", "max_header_bytes", "max_headers", "max_body_bytes",
                       "max_handler_body", "max_connections", "auth_failures_per_minute",
                       "auth_failure_burst", "limited_lookups_per_minute",
                       "allow_underscores_in_headers", "max_public_body", "max_local_body_bytes"});
  LimitsConfig limits;
  auto get = [&](const char* key, uint64_t min, uint64_t max, uint64_t fallback) -> uint64_t {
    const Json* v = member(value, key);
    return v ? get_uint(src, *v, join_key("limits", key), min, max) : fallback;
  };
  limits.max_request_line = get("max_request_line", 256, 1 << 20, limits.max_request_line);
  limits.max_header_bytes = get("max_header_bytes", 1024, 1 << 20, limits.max_header_bytes);
  limits.max_headers = get("max_headers", 1, 1000, limits.max_headers);
  limits.max_body_bytes = get("max_body_bytes", 1, uint64_t{1} << 40, limits.max_body_bytes);
  limits.max_handler_body = get("max_handler_body", 1, 64 << 20, limits.max_handler_body);
  limits.max_connections = get("max_connections", 1, 1000000, limits.max_connections);
  limits.auth_failures_per_minute = static_cast<uint32_t>(
      get("auth_failures_per_minute", 0, 100000, limits.auth_failures_per_minute));
  limits.auth_failure_burst =
      static_cast<uint32_t>(get("auth_failure_burst", 0, 100000, limits.auth_failure_burst));
  limits.limited_lookups_per_minute = static_cast<uint32_t>(
      get("limited_lookups_per_minute", 0, 100000, limits.limited_lookups_per_minute));
  if (const Json* v = member(value, "allow_underscores_in_headers")) {
    limits.allow_underscores_in_headers = get_bool(src, *v, "limits.allow_underscores_in_headers");
  }
  limits.max_public_body = get("max_public_body", 1, 64 << 20, limits.max_public_body);
  limits.max_local_body_bytes =
      get("max_local_body_bytes", 1024, uint64_t{1} << 34, limits.max_local_body_bytes);
  return limits;
}

TimeoutsConfig parse_timeouts(const Source& src, const Json& value) {
  require_object(src, value, "timeouts");
  refuse_unknown_keys(
      src, value, "timeouts",
      {"header_read", "idle", "upstream_connect", "upstream_response", "drain", "body_read"});
  TimeoutsConfig timeouts;
  auto get = [&](const char* key, std::chrono::milliseconds& out) {
    if (const Json* v = member(value, key)) out = get_seconds(src, *v, join_key("timeouts", key));
  };
  get("header_read", timeouts.header_read);
  get("idle", timeouts.idle);
  get("upstream_connect", timeouts.upstream_connect);
  get("upstream_response", timeouts.upstream_response);
  get("drain", timeouts.drain);
  get("body_read", timeouts.body_read);
  return timeouts;
}

std::vector<net::Cidr> parse_trusted_proxies(const Source& src, const Json& value) {
  if (!value.is_array()) {
    src.fail("trusted_proxies", "must be an array of CIDR blocks such as \"10.0.0.0/8\"");
  }
  std::vector<net::Cidr> out;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string key = "trusted_proxies[" + std::to_string(i) + "]";
    const std::string& text = get_string(src, value[i], key);
    std::optional<net::Cidr> block = net::parse_cidr(text);
    if (!block) {
      src.fail(key, in_quotes(text) +
                        " is not a CIDR block (an address, or address/prefix with the host bits "
                        "zero, such as \"10.0.0.0/8\" or \"2001:db8::/32\")");
    }
    out.push_back(*block);
  }
  return out;
}

StoreConfig parse_store(const Source& src, const Json& value) {
  require_object(src, value, "store");
  refuse_unknown_keys(src, value, "store", {"backend", "path", "url", "prefix"});
  StoreConfig store;
  if (const Json* v = member(value, "backend")) {
    store.backend = get_string(src, *v, "store.backend");
    if (store.backend != "file" && store.backend != "redis") {
      src.fail("store.backend", "must be \"file\" or \"redis\"");
    }
  }
  if (const Json* v = member(value, "path")) store.path = resolve_path(src, *v, "store.path");
  if (const Json* v = member(value, "url")) store.url = get_string(src, *v, "store.url");
  if (const Json* v = member(value, "prefix")) {
    store.prefix = get_string(src, *v, "store.prefix");
    if (store.prefix.empty() || store.prefix.size() > 64) {
      src.fail("store.prefix", "must be 1 to 64 characters");
    }
  }
  if (store.backend == "redis") {
    if (store.url.empty()) {
      src.fail("store.url", "is required with store.backend \"redis\" (redis://host:6379/0)");
    }
    // Checked here, at load, so that a typo fails check-config rather than the first connect.
    store_redis::RedisUrlResult url = store_redis::parse_redis_url(store.url);
    if (!url.error.empty()) src.fail("store.url", url.error);
  } else if (!store.url.empty()) {
    src.fail("store.url", "is only for store.backend \"redis\"");
  }
  return store;
}

CacheConfig parse_cache(const Source& src, const Json& value) {
  require_object(src, value, "cache");
  refuse_unknown_keys(src, value, "cache",
                      {"ttl", "negative_ttl", "max_entries", "stale_if_error"});
  CacheConfig cache;
  if (const Json* v = member(value, "ttl")) cache.ttl = get_seconds(src, *v, "cache.ttl");
  if (const Json* v = member(value, "negative_ttl")) {
    cache.negative_ttl = get_seconds(src, *v, "cache.negative_ttl");
  }
  if (const Json* v = member(value, "max_entries")) {
    cache.max_entries = get_uint(src, *v, "cache.max_entries", 16, 10'000'000);
  }
  if (const Json* v = member(value, "stale_if_error")) {
    cache.stale_if_error = get_seconds(src, *v, "cache.stale_if_error");
  }
  return cache;
}

AuditConfig parse_audit(const Source& src, const Json& value) {
  require_object(src, value, "audit");
  refuse_unknown_keys(src, value, "audit", {"path", "retain_days"});
  AuditConfig audit;
  if (const Json* v = member(value, "path")) audit.path = resolve_path(src, *v, "audit.path");
  if (const Json* v = member(value, "retain_days")) {
    audit.retain_days = static_cast<unsigned>(get_uint(src, *v, "audit.retain_days", 0, 36500));
  }
  return audit;
}

TokensConfig parse_tokens(const Source& src, const Json& value) {
  require_object(src, value, "tokens");
  refuse_unknown_keys(src, value, "tokens", {"idle_expiry_days"});
  TokensConfig tokens;
  if (const Json* v = member(value, "idle_expiry_days")) {
    tokens.idle_expiry_days =
        static_cast<unsigned>(get_uint(src, *v, "tokens.idle_expiry_days", 0, 36500));
  }
  return tokens;
}

// metrics.listen: one "host:port", or "" / null for no metrics listener.
MetricsConfig parse_metrics(const Source& src, const Json& value) {
  require_object(src, value, "metrics");
  refuse_unknown_keys(src, value, "metrics", {"listen"});
  MetricsConfig metrics;
  const Json* v = member(value, "listen");
  if (v == nullptr) return metrics;
  if (v->is_null() || (v->is_string() && v->get_ref<const std::string&>().empty())) {
    metrics.listen.reset();
    return metrics;
  }
  if (!v->is_string()) {
    src.fail("metrics.listen",
             "must be a \"host:port\" string such as \"127.0.0.1:9201\", or \"\" to turn "
             "metrics off");
  }
  metrics.listen = parse_listen_address(src, *v, "metrics.listen");
  return metrics;
}

// Never one of `listen` (the default included): the metrics would be answered by whichever
// listener won the bind, and the lake's routes by the other.
void check_metrics_apart(const Source& src, const Config& config) {
  if (!config.metrics.listen) return;
  const ListenAddress& m = *config.metrics.listen;
  for (const ListenAddress& main : config.listen) {
    if (main.host != m.host || main.port != m.port) continue;
    const std::string host = m.host.find(':') != std::string::npos ? "[" + m.host + "]" : m.host;
    src.fail("metrics.listen", in_quotes(host + ":" + std::to_string(m.port)) +
                                   " is also in \"listen\"; metrics need an address of their own "
                                   "(or \"\" to turn them off)");
  }
}

LogLevelSetting parse_log(const Source& src, const Json& value, LogLevelSetting fallback) {
  require_object(src, value, "log");
  refuse_unknown_keys(src, value, "log", {"level"});
  const Json* level = member(value, "level");
  if (!level) return fallback;
  const char* accepted = "must be one of \"debug\", \"info\", \"warn\", \"error\"";
  if (!level->is_string()) src.fail("log.level", accepted);
  const std::string& name = level->get_ref<const std::string&>();
  if (name == "debug") return LogLevelSetting::debug;
  if (name == "info") return LogLevelSetting::info;
  if (name == "warn") return LogLevelSetting::warn;
  if (name == "error") return LogLevelSetting::error;
  src.fail("log.level", accepted);
}

std::string default_plugin_dir(const std::string& exe_dir) {
  // A build tree keeps its plugins beside the executable; an installed daemon uses the system
  // folder. Checking the build location first lets `./build/fathom-auth` run without installing.
  if (!exe_dir.empty()) {
    std::error_code ec;
    const std::filesystem::path beside = std::filesystem::path(exe_dir) / "plugins";
    if (std::filesystem::is_directory(beside, ec)) return beside.lexically_normal().string();
  }
  return kInstalledPluginDir;
}

}  // namespace

Config parse_config(std::string_view text, const std::string& origin, const std::string& base_dir,
                    const std::string& exe_dir) {
  const Json root = parse_json(strip_json_comments(text, origin), origin);
  if (!root.is_object()) throw ConfigError(origin + ": the config must be a JSON object { … }");
  const Source src{origin, base_dir};
  refuse_unknown_keys(
      src, root, "",
      {"listen", "workers", "upstream", "state_dir", "plugin_dir", "plugins", "limits", "timeouts",
       "store", "cache", "audit", "tokens", "log", "tls", "metrics", "trusted_proxies"});

  Config config;
  config.source_path = origin;
  if (const Json* v = member(root, "listen")) config.listen = parse_listen(src, *v);

  unsigned workers = 0;
  if (const Json* v = member(root, "workers")) {
    workers = static_cast<unsigned>(get_uint(src, *v, "workers", 0, 256));
  }
  config.workers = workers != 0 ? workers : std::max(1u, std::thread::hardware_concurrency());

  // Parsed even when absent, so that the derived fields (host, port, authority) are filled.
  const Json* upstream = member(root, "upstream");
  config.upstream = parse_upstream(src, upstream ? *upstream : Json::object());

  if (const Json* v = member(root, "state_dir"))
    config.state_dir = resolve_path(src, *v, "state_dir");
  if (const Json* v = member(root, "plugin_dir")) {
    config.plugin_dir = resolve_path(src, *v, "plugin_dir");
  } else {
    config.plugin_dir = default_plugin_dir(exe_dir);
  }
  // After plugin_dir, whatever the key order in the file: plugin paths default into it.
  if (const Json* v = member(root, "plugins")) {
    config.plugins = parse_plugins(src, *v, config.plugin_dir);
  }
  if (const Json* v = member(root, "limits")) config.limits = parse_limits(src, *v);
  if (const Json* v = member(root, "timeouts")) config.timeouts = parse_timeouts(src, *v);
  if (const Json* v = member(root, "trusted_proxies")) {
    config.trusted_proxies = parse_trusted_proxies(src, *v);
  }
  if (const Json* v = member(root, "store")) config.store = parse_store(src, *v);
  if (config.store.path.empty()) config.store.path = config.state_dir + "/store";
  if (const Json* v = member(root, "cache")) config.cache = parse_cache(src, *v);
  if (const Json* v = member(root, "audit")) config.audit = parse_audit(src, *v);
  if (config.audit.path.empty()) config.audit.path = config.state_dir + "/audit";
  if (const Json* v = member(root, "tokens")) config.tokens = parse_tokens(src, *v);
  if (const Json* v = member(root, "log")) config.log_level = parse_log(src, *v, config.log_level);
  if (const Json* v = member(root, "tls")) config.tls = parse_tls(src, *v);
  if (const Json* v = member(root, "metrics")) config.metrics = parse_metrics(src, *v);
  check_metrics_apart(src, config);
  return config;
}

Config load_config(const std::string& path, const std::string& exe_dir) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ConfigError("cannot read " + path + ": " + std::strerror(errno));
  std::string text;
  char buffer[16384];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw ConfigError("cannot read " + path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > kMaxConfigBytes) {
      ::close(fd);
      throw ConfigError("cannot read " + path + ": larger than 16 MiB, which no config is");
    }
  }
  ::close(fd);

  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  if (ec) absolute = path;
  absolute = absolute.lexically_normal();
  Config config = parse_config(text, path, absolute.parent_path().string(), exe_dir);
  // Kept absolute so that a reload after the daemon changed directory reads the same file.
  config.source_path = absolute.string();
  return config;
}

}  // namespace fathom
