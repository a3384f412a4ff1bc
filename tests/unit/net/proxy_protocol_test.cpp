#include "net/proxy_protocol.h"

#include <gtest/gtest.h>

#include <string>

namespace fathom::net {
namespace {

const std::string kSignature("\r\n\r\n\0\r\nQUIT\n", 12);

std::string tcp4(const std::string& tail = "") {
  // PROXY over TCP/IPv4: 198.51.100.7:12345 -> 127.0.0.1:8009.
  return kSignature +
         std::string("\x21\x11\x00\x0c\xc6\x33\x64\x07\x7f\x00\x00\x01\x30\x39\x1f\x49", 16) + tail;
}

TEST(ProxyProtocol, ReadsTheClientOfAnIpv4Header) {
  ProxyHeader h = parse_proxy_v2(tcp4("GET / HTTP/1.1\r\n"));
  ASSERT_EQ(h.status, ProxyHeaderStatus::done);
  EXPECT_EQ(h.consumed, 28u);
  EXPECT_EQ(h.client, "198.51.100.7");
}

TEST(ProxyProtocol, ReadsTheClientOfAnIpv6Header) {
  std::string addrs(36, '\0');
  addrs[0] = '\x20';
  addrs[1] = '\x01';
  addrs[2] = '\x0d';
  addrs[3] = '\xb8';
  addrs[15] = '\x01';
  ProxyHeader h = parse_proxy_v2(kSignature + std::string("\x21\x21\x00\x24", 4) + addrs);
  ASSERT_EQ(h.status, ProxyHeaderStatus::done);
  EXPECT_EQ(h.client, "2001:db8::1");
}

TEST(ProxyProtocol, LocalAndUnspecifiedLeaveThePeerAsTheClient) {
  ProxyHeader local = parse_proxy_v2(kSignature + std::string("\x20\x00\x00\x00", 4));
  EXPECT_EQ(local.status, ProxyHeaderStatus::done);
  EXPECT_TRUE(local.client.empty());
  ProxyHeader unspec = parse_proxy_v2(kSignature + std::string("\x21\x00\x00\x02xx", 6));
  EXPECT_EQ(unspec.status, ProxyHeaderStatus::done);
  EXPECT_EQ(unspec.consumed, 18u);
  EXPECT_TRUE(unspec.client.empty());
}

TEST(ProxyProtocol, WaitsForTheWholeHeader) {
  const std::string full = tcp4();
  for (size_t n = 0; n < full.size(); ++n) {
    EXPECT_EQ(parse_proxy_v2(full.substr(0, n)).status, ProxyHeaderStatus::need_more) << n;
  }
}

TEST(ProxyProtocol, PlainHttpIsAbsent) {
  EXPECT_EQ(parse_proxy_v2("GET / HTTP/1.1\r\n").status, ProxyHeaderStatus::absent);
  EXPECT_EQ(parse_proxy_v2("\r\nGET").status, ProxyHeaderStatus::absent);
  EXPECT_EQ(parse_proxy_v2("PROXY TCP4 1.2.3.4").status, ProxyHeaderStatus::absent)
      << "version 1 (text) is not read";
}

TEST(ProxyProtocol, RefusesWhatItCannotUse) {
  EXPECT_EQ(parse_proxy_v2(kSignature + std::string("\x31\x11\x00\x0c", 4)).status,
            ProxyHeaderStatus::refused);  // version 3
  EXPECT_EQ(parse_proxy_v2(kSignature + std::string("\x22\x11\x00\x0c", 4)).status,
            ProxyHeaderStatus::refused);  // command 2
  EXPECT_EQ(parse_proxy_v2(kSignature + std::string("\x21\x11\x00\x04\x01\x02\x03\x04", 8)).status,
            ProxyHeaderStatus::refused);  // too short for two IPv4 addresses and ports
  EXPECT_EQ(
      parse_proxy_v2(kSignature + std::string("\x21\x12\x00\x0c", 4) + std::string(12, 'x')).status,
      ProxyHeaderStatus::refused);  // UDP
  EXPECT_EQ(parse_proxy_v2(kSignature + std::string("\x21\x11\x04\x00", 4)).status,
            ProxyHeaderStatus::refused);  // 1024 bytes of addresses and TLVs: over the cap
}

}  // namespace
}  // namespace fathom::net
