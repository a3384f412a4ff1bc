#include "net/ip_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace fathom::net {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

std::optional<IpAddress> parse_ip(std::string_view text) {
  // inet_pton wants a NUL-terminated string; the longest IPv6 text form is 45 characters.
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress out;
  if (inet_pton(AF_INET, buf, out.bytes) == 1) return out;
  if (inet_pton(AF_INET6, buf, out.bytes) != 1) return std::nullopt;
  if (std::memcmp(out.bytes, kMappedPrefix, sizeof kMappedPrefix) == 0) {
    std::memmove(out.bytes, out.bytes + 12, 4);
    std::memset(out.bytes + 4, 0, 12);
    return out;
  }
  out.v6 = true;
  return out;
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  const size_t slash = text.find('/');
  std::optional<IpAddress> base = parse_ip(text.substr(0, slash));
  if (!base) return std::nullopt;
  const unsigned max = base->v6 ? 128 : 32;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
        prefix > max) {
      return std::nullopt;
    }
  }
  Cidr block{*base, prefix};
  for (unsigned bit = prefix; bit < max; ++bit) {
    if (base->bytes[bit / 8] & (0x80 >> (bit % 8))) return std::nullopt;  // host bits set
  }
  return block;
}

bool contains(const Cidr& block, const IpAddress& address) {
  if (block.base.v6 != address.v6) return false;
  const unsigned whole = block.prefix / 8;
  if (std::memcmp(block.base.bytes, address.bytes, whole) != 0) return false;
  const unsigned rest = block.prefix % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (block.base.bytes[whole] & mask) == (address.bytes[whole] & mask);
}

bool contains_any(std::span<const Cidr> blocks, std::string_view address) {
  if (blocks.empty()) return false;
  std::optional<IpAddress> ip = parse_ip(address);
  if (!ip) return false;
  for (const Cidr& block : blocks) {
    if (contains(block, *ip)) return true;
  }
  return false;
}

std::string limiter_key(std::string_view address) {
  std::optional<IpAddress> ip = parse_ip(address);
  if (!ip) return std::string(address);
  if (!ip->v6) {
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, ip->bytes, buf, sizeof buf);
    return buf;
  }
  std::memset(ip->bytes + 8, 0, 8);
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, ip->bytes, buf, sizeof buf);
  std::string key = buf;
  key += "/64";
  return key;
}

std::string client_from_forwarded_for(std::span<const std::string_view> values,
                                      std::span<const Cidr> trusted, std::string_view peer) {
  std::string_view right = peer;  // the hop that reported the one being read
  std::string_view leftmost;
  for (size_t v = values.size(); v-- > 0;) {
    std::string_view list = values[v];
    while (true) {
      const size_t comma = list.rfind(',');
      const std::string_view hop =
          trim(comma == std::string_view::npos ? list : list.substr(comma + 1));
      if (!hop.empty()) {
        std::optional<IpAddress> ip = parse_ip(hop);
        if (!ip) return std::string(right);
        bool inside = false;
        for (const Cidr& block : trusted) inside = inside || contains(block, *ip);
        if (!inside) return std::string(hop);
        right = leftmost = hop;
      }
      if (comma == std::string_view::npos) break;
      list = list.substr(0, comma);
    }
  }
  return std::string(leftmost.empty() ? peer : leftmost);
}

}  // namespace fathom::net
