// The PROXY protocol version 2 header (HAProxy's proxy-protocol.txt, section 2.2): the binary
// preamble a TCP load balancer sends before the client's bytes, naming the client's address.
// Read only on connections from `trusted_proxies`; from anyone else it is just bytes that cannot
// start an HTTP request.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fathom::net {

enum class ProxyHeaderStatus {
  absent,     // the bytes do not start with the v2 signature: plain HTTP follows
  need_more,  // a prefix of the signature or of the header: read more
  done,       // `consumed` bytes form the header
  refused,    // the signature, then something malformed or unsupported
};

struct ProxyHeader {
  ProxyHeaderStatus status = ProxyHeaderStatus::need_more;
  size_t consumed = 0;
  // With `done`: the source address of a PROXY command over TCP/IPv4 or TCP/IPv6; empty for
  // LOCAL (the balancer's own health check) or an unspecified family: the peer stays the client.
  std::string client;
  std::string_view why;  // with `refused`: what was wrong, for the log
};

// Headers longer than this (TLVs included) are refused: a balancer's TLVs are a few hundred
// bytes, and the head limits should not be sidestepped.
inline constexpr size_t kMaxProxyHeader = 1024;

ProxyHeader parse_proxy_v2(std::string_view bytes);

}  // namespace fathom::net
