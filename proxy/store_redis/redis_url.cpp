#include "store_redis/redis_url.h"

#include <charconv>

namespace fathom::store_redis {
namespace {

RedisUrlResult failure(std::string message) {
  return RedisUrlResult{std::nullopt, "store.url: " + std::move(message)};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `in` into `out`; false on a malformed escape.
bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = hex_value(in[i + 1]);
    int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Whole decimal numbers only: no sign, no spaces, within `max`.
std::optional<uint32_t> parse_number(std::string_view s, uint32_t max) {
  if (!all_digits(s) || s.size() > 10) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value > max) return std::nullopt;
  return static_cast<uint32_t>(value);
}

bool valid_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool valid_ipv6(std::string_view host) {
  if (host.size() < 2) return false;
  for (char c : host) {
    if (hex_value(c) < 0 && c != ':' && c != '.') return false;
  }
  return host.find(':') != std::string_view::npos;
}

constexpr uint32_t kMaxDb = 1u << 20;  // far above any real `databases` setting

RedisUrlResult parse_db(std::string_view text, RedisUrl url) {
  auto db = parse_number(text, kMaxDb);
  if (!db) return failure("the database must be a whole number (e.g. /0)");
  url.db = *db;
  return RedisUrlResult{std::move(url), {}};
}

RedisUrlResult parse_unix(std::string_view rest) {
  RedisUrl url;
  url.kind = RedisUrl::Kind::unix_socket;
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (rest.empty() || rest.front() != '/') {
    return failure("a unix socket URL needs an absolute path: unix:///path/to/redis.sock");
  }
  if (rest.find('\0') != std::string_view::npos) return failure("the socket path holds a NUL byte");
  if (rest.size() > 107) return failure("the socket path is longer than 107 bytes");
  url.path = std::string(rest);
  if (query.empty()) return RedisUrlResult{std::move(url), {}};
  if (query.substr(0, 3) != "db=") return failure("a unix socket URL takes only ?db=N");
  return parse_db(query.substr(3), std::move(url));
}

RedisUrlResult parse_tcp(std::string_view rest) {
  RedisUrl url;
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return failure("query strings and fragments are not supported in a redis:// URL");
  }
  std::string_view authority = rest;
  std::string_view db_part;
  bool has_db = false;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    db_part = rest.substr(slash + 1);
    has_db = true;
  }
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      return failure("credentials must be written :password@ or user:password@");
    }
    if (!percent_decode(userinfo.substr(0, colon), url.user) ||
        !percent_decode(userinfo.substr(colon + 1), url.password)) {
      return failure("the credentials hold a malformed %-escape");
    }
    if (url.password.empty()) return failure("the password after ':' is empty");
  }
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return failure("an IPv6 address is missing its ']'");
    std::string_view host = authority.substr(1, close - 1);
    if (!valid_ipv6(host)) return failure("the IPv6 address between [ and ] is not valid");
    url.host = std::string(host);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return failure("unexpected characters after the IPv6 address");
      port_text = after.substr(1);
      has_port = true;
    }
  } else {
    size_t colon = authority.find(':');
    std::string_view host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
    }
    if (host.empty()) return failure("the host is missing: redis://host:port/db");
    if (!valid_host_name(host)) {
      return failure("the host must be a name, an IPv4 address or an IPv6 address in [ ]");
    }
    url.host = std::string(host);
  }
  if (has_port) {
    auto port = parse_number(port_text, 65535);
    if (!port || *port == 0) return failure("the port must be a number from 1 to 65535");
    url.port = static_cast<uint16_t>(*port);
  }
  if (!has_db || db_part.empty()) return RedisUrlResult{std::move(url), {}};
  return parse_db(db_part, std::move(url));
}

}  // namespace

std::string RedisUrl::describe() const {
  if (kind == Kind::unix_socket) return "unix:" + path + "/" + std::to_string(db);
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port) + "/" + std::to_string(db);
}

RedisUrlResult parse_redis_url(std::string_view text) {
  constexpr std::string_view kTcp = "redis://";
  constexpr std::string_view kUnix = "unix://";
  if (text.empty()) return failure("is empty; expected redis://host:port/db or unix:///path");
  if (text.substr(0, kTcp.size()) == kTcp) return parse_tcp(text.substr(kTcp.size()));
  if (text.substr(0, kUnix.size()) == kUnix) return parse_unix(text.substr(kUnix.size()));
  if (text.substr(0, 9) == "rediss://") {
    return failure("TLS (rediss://) is not supported; use a local TLS tunnel or a unix socket");
  }
  return failure("must start with redis:// or unix://");
}

}  // namespace fathom::store_redis
