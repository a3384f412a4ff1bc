// The PROXY protocol v2 reader on arbitrary bytes: it never reads past its input, never consumes
// more than it was given or than kMaxProxyHeader, and a complete header keeps its answer when
// more bytes follow it. Any broken invariant traps.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/ip_address.h"
#include "net/proxy_protocol.h"

namespace {

using namespace fathom::net;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const ProxyHeader h = parse_proxy_v2(input);
  if (h.status != ProxyHeaderStatus::done) {
    check(h.consumed == 0 && h.client.empty());
    return 0;
  }
  check(h.consumed >= 16 && h.consumed <= input.size() && h.consumed <= kMaxProxyHeader);
  check(h.client.empty() || parse_ip(h.client).has_value());
  std::string longer(input);
  longer += "GET / HTTP/1.1\r\n";
  const ProxyHeader again = parse_proxy_v2(longer);
  check(again.status == ProxyHeaderStatus::done && again.consumed == h.consumed &&
        again.client == h.client);
  return 0;
}
