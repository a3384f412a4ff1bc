// Feeds arbitrary bytes to store.url's parser. It must never crash, and whatever it accepts must
// hold together: a host and a port from 1 to 65535, or a unix path that is absolute; and what it
// refuses comes with an error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store_redis/redis_url.h"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  fathom::store_redis::RedisUrlResult r = fathom::store_redis::parse_redis_url(in);
  if (!r.url) {
    check(!r.error.empty());
    return 0;
  }
  using Kind = fathom::store_redis::RedisUrl::Kind;
  const auto& url = *r.url;
  check(r.error.empty());
  if (url.kind == Kind::tcp) {
    check(in.substr(0, 8) == "redis://");
    check(url.port >= 1);
    check(!url.host.empty());
  } else {
    check(in.substr(0, 7) == "unix://");
    check(!url.path.empty() && url.path.front() == '/');
  }
  check(!url.describe().empty());
  return 0;
}
