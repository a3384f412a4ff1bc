#include "net/proxy_protocol.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>

namespace fathom::net {
namespace {

constexpr std::string_view kSignature("\r\n\r\n\0\r\nQUIT\n", 12);
constexpr size_t kFixed = 16;  // signature, version and command, family, length

ProxyHeader refuse(std::string_view why) {
  ProxyHeader h;
  h.status = ProxyHeaderStatus::refused;
  h.why = why;
  return h;
}

}  // namespace

ProxyHeader parse_proxy_v2(std::string_view b) {
  ProxyHeader out;
  const size_t seen = std::min(b.size(), kSignature.size());
  if (b.substr(0, seen) != kSignature.substr(0, seen)) {
    out.status = ProxyHeaderStatus::absent;
    return out;
  }
  if (b.size() < kFixed) return out;  // need_more
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(b[i]); };
  const uint8_t version = byte(12) >> 4;
  const uint8_t command = byte(12) & 0x0f;
  if (version != 2) return refuse("not version 2");
  if (command > 1) return refuse("unknown command");
  const size_t length = (size_t{byte(14)} << 8) | byte(15);
  if (kFixed + length > kMaxProxyHeader) return refuse("longer than 1024 bytes");
  if (b.size() < kFixed + length) return out;  // need_more
  out.status = ProxyHeaderStatus::done;
  out.consumed = kFixed + length;
  if (command == 0) return out;  // LOCAL: the balancer itself, addresses ignored
  const uint8_t family = byte(13) >> 4;
  const uint8_t transport = byte(13) & 0x0f;
  if (family == 0) return out;  // UNSPEC: nothing to say about the client
  if (transport != 1) return refuse("not a TCP connection");
  char text[INET6_ADDRSTRLEN];
  if (family == 1) {
    if (length < 12) return refuse("too short for IPv4 addresses");
    inet_ntop(AF_INET, b.data() + kFixed, text, sizeof text);
  } else if (family == 2) {
    if (length < 36) return refuse("too short for IPv6 addresses");
    inet_ntop(AF_INET6, b.data() + kFixed, text, sizeof text);
  } else {
    return refuse("not an IP address family");
  }
  out.client = text;
  return out;
}

}  // namespace fathom::net
