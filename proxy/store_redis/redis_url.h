// The address of the Redis server behind store.url, parsed without any Redis library so that the
// parser can be fuzzed on its own (tests/fuzz/redis_url_fuzz.cpp).
//
//   redis://[[user]:password@]host[:port][/db]   host: a name, an IPv4 address or [IPv6]
//   unix:///absolute/path[?db=N]
//
// The port defaults to 6379 and the database to 0. The user and password may be percent-encoded
// (%40 for '@'). Errors never repeat the URL, which may hold the password.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fathom::store_redis {

struct RedisUrl {
  enum class Kind : uint8_t { tcp, unix_socket };
  Kind kind = Kind::tcp;
  std::string host;  // tcp: without the brackets of an IPv6 address
  uint16_t port = 6379;
  std::string path;      // unix_socket
  std::string user;      // empty: AUTH with the password alone
  std::string password;  // empty: no AUTH
  uint32_t db = 0;

  // "host:port/db" or "unix:/path/db": for logs, never the password.
  std::string describe() const;
};

struct RedisUrlResult {
  std::optional<RedisUrl> url;
  std::string error;  // set when url is empty; names the problem, never the password
};

RedisUrlResult parse_redis_url(std::string_view text);

}  // namespace fathom::store_redis
