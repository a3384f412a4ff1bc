// Client addresses as the limiter, the audit and the trusted-proxy rules need them: parsed from
// the text the kernel or a proxy gave, matched against CIDR blocks, and keyed so that one IPv6
// customer (who is handed a whole /64) counts as one address.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fathom::net {

struct IpAddress {
  bool v6 = false;
  uint8_t bytes[16] = {};  // network order; IPv4 uses the first 4
};

// A numeric IPv4 or IPv6 address (no brackets, no zone). An IPv4-mapped IPv6 address
// ("::ffff:192.0.2.1") is read as the IPv4 address, as a dual-stack socket reports v4 peers so.
std::optional<IpAddress> parse_ip(std::string_view text);

struct Cidr {
  IpAddress base;       // host bits cleared
  unsigned prefix = 0;  // 0..32 or 0..128
};

// "10.0.0.0/8", "2001:db8::/32", or a single address ("192.0.2.7" is /32). The host bits must be
// zero ("10.0.0.1/8" is refused: it is usually a typo for a host or for another block).
std::optional<Cidr> parse_cidr(std::string_view text);

bool contains(const Cidr& block, const IpAddress& address);
bool contains_any(std::span<const Cidr> blocks, std::string_view address);

// The key the failure limiter counts under: an IPv4 address as it is, an IPv6 address as its
// /64 ("2001:db8:1:2::/64"); text that is not an address is its own key.
std::string limiter_key(std::string_view address);

// The client behind trusted proxies: X-Forwarded-For values (in the order the headers came)
// read from the right, skipping hops inside `trusted`; the first untrusted hop is the client.
// If every hop is trusted, the leftmost; if a hop is not an address (only an untrusted party
// could have written it there), the hop to its right, or `peer` if there is none.
std::string client_from_forwarded_for(std::span<const std::string_view> values,
                                      std::span<const Cidr> trusted, std::string_view peer);

}  // namespace fathom::net
