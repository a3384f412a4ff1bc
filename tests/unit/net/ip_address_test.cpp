#include "net/ip_address.h"

#include <gtest/gtest.h>

#include <vector>

namespace fathom::net {
namespace {

std::vector<Cidr> blocks(std::initializer_list<const char*> texts) {
  std::vector<Cidr> out;
  for (const char* t : texts) out.push_back(parse_cidr(t).value());
  return out;
}

TEST(IpAddress, ParsesBothFamiliesAndUnmapsIpv4) {
  ASSERT_TRUE(parse_ip("192.0.2.1"));
  EXPECT_FALSE(parse_ip("192.0.2.1")->v6);
  EXPECT_TRUE(parse_ip("2001:db8::1")->v6);
  const auto mapped = parse_ip("::ffff:192.0.2.1");
  ASSERT_TRUE(mapped);
  EXPECT_FALSE(mapped->v6);
  EXPECT_EQ(mapped->bytes[0], 192);
  for (const char* bad : {"", "host", "1.2.3", "1.2.3.4.5", "[::1]", "::1%eth0", " 1.2.3.4"}) {
    EXPECT_FALSE(parse_ip(bad)) << bad;
  }
}

TEST(IpAddress, CidrBlocksContainTheirAddressesOnly) {
  const auto b = blocks({"10.0.0.0/8", "2001:db8:1::/48", "192.0.2.7", "0.0.0.0/0"});
  EXPECT_TRUE(contains(b[0], *parse_ip("10.255.1.2")));
  EXPECT_FALSE(contains(b[0], *parse_ip("11.0.0.1")));
  EXPECT_TRUE(contains(b[1], *parse_ip("2001:db8:1:ffff::9")));
  EXPECT_FALSE(contains(b[1], *parse_ip("2001:db8:2::9")));
  EXPECT_TRUE(contains(b[2], *parse_ip("192.0.2.7")));
  EXPECT_FALSE(contains(b[2], *parse_ip("192.0.2.8")));
  EXPECT_TRUE(contains(b[3], *parse_ip("203.0.113.5")));
  EXPECT_FALSE(contains(b[3], *parse_ip("::1"))) << "families never mix";
  EXPECT_TRUE(contains_any(b, "::ffff:10.1.1.1"));
  EXPECT_FALSE(contains_any(b, "not an address"));
}

TEST(IpAddress, RefusesMalformedBlocks) {
  for (const char* bad : {"10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "::/129",
                          "2001:db8::1/32", "host/8", ""}) {
    EXPECT_FALSE(parse_cidr(bad)) << bad;
  }
}

// One IPv6 customer gets a whole /64: counting addresses inside it separately would hand a
// guesser 2^64 fresh buckets.
TEST(IpAddress, LimiterKeysIpv6ByItsSlash64) {
  EXPECT_EQ(limiter_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(limiter_key("2001:db8:1:2:bbbb:cccc:dddd:eeee"), "2001:db8:1:2::/64");
  EXPECT_NE(limiter_key("2001:db8:1:3::1"), limiter_key("2001:db8:1:2::1"));
  EXPECT_EQ(limiter_key("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(limiter_key("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(limiter_key("odd"), "odd");
}

TEST(IpAddress, ClientIsTheRightmostUntrustedHop) {
  const auto trusted = blocks({"10.0.0.0/8"});
  std::string_view one[] = {"203.0.113.9, 10.0.0.2"};
  EXPECT_EQ(client_from_forwarded_for(one, trusted, "10.0.0.1"), "203.0.113.9");
  // The client wrote a forged hop at the left; our proxy appended the address it saw.
  std::string_view forged[] = {"1.2.3.4, 198.51.100.7"};
  EXPECT_EQ(client_from_forwarded_for(forged, trusted, "10.0.0.1"), "198.51.100.7");
  // Several headers read as one list, in order.
  std::string_view two[] = {"1.2.3.4", "198.51.100.7 , 10.9.9.9"};
  EXPECT_EQ(client_from_forwarded_for(two, trusted, "10.0.0.1"), "198.51.100.7");
  std::string_view all_trusted[] = {"10.0.0.5, 10.0.0.6"};
  EXPECT_EQ(client_from_forwarded_for(all_trusted, trusted, "10.0.0.1"), "10.0.0.5");
  std::string_view garbage[] = {"198.51.100.7, nonsense, 10.0.0.6"};
  EXPECT_EQ(client_from_forwarded_for(garbage, trusted, "10.0.0.1"), "10.0.0.6");
  std::string_view garbage_last[] = {"nonsense"};
  EXPECT_EQ(client_from_forwarded_for(garbage_last, trusted, "10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(client_from_forwarded_for({}, trusted, "10.0.0.1"), "10.0.0.1");
}

}  // namespace
}  // namespace fathom::net
