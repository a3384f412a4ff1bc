#include "store_redis/redis_url.h"

#include <gtest/gtest.h>

namespace fathom::store_redis {
namespace {

RedisUrl parsed(std::string_view text) {
  RedisUrlResult r = parse_redis_url(text);
  EXPECT_TRUE(r.url) << text << ": " << r.error;
  return r.url.value_or(RedisUrl{});
}

std::string error_of(std::string_view text) {
  RedisUrlResult r = parse_redis_url(text);
  EXPECT_FALSE(r.url) << text;
  return r.error;
}

TEST(RedisUrl, TcpWithDefaults) {
  RedisUrl u = parsed("redis://cache.internal");
  EXPECT_EQ(u.kind, RedisUrl::Kind::tcp);
  EXPECT_EQ(u.host, "cache.internal");
  EXPECT_EQ(u.port, 6379);
  EXPECT_EQ(u.db, 0u);
  EXPECT_TRUE(u.password.empty());
  EXPECT_EQ(u.describe(), "cache.internal:6379/0");
}

TEST(RedisUrl, TcpWithPasswordPortAndDb) {
  RedisUrl u = parsed("redis://:s%40cret@10.0.0.5:6380/3");
  EXPECT_EQ(u.host, "10.0.0.5");
  EXPECT_EQ(u.port, 6380);
  EXPECT_EQ(u.db, 3u);
  EXPECT_EQ(u.password, "s@cret");
  EXPECT_TRUE(u.user.empty());
  EXPECT_EQ(u.describe().find("cret"), std::string::npos);

  RedisUrl acl = parsed("redis://fathom:pw@host/");
  EXPECT_EQ(acl.user, "fathom");
  EXPECT_EQ(acl.password, "pw");
}

TEST(RedisUrl, Ipv6) {
  RedisUrl u = parsed("redis://[::1]:7000/1");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 7000);
  EXPECT_EQ(u.describe(), "[::1]:7000/1");
}

TEST(RedisUrl, UnixSocket) {
  RedisUrl u = parsed("unix:///run/redis/redis.sock");
  EXPECT_EQ(u.kind, RedisUrl::Kind::unix_socket);
  EXPECT_EQ(u.path, "/run/redis/redis.sock");
  EXPECT_EQ(parsed("unix:///tmp/r.sock?db=2").db, 2u);
}

TEST(RedisUrl, BadInputNamesTheProblemWithoutThePassword) {
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  EXPECT_NE(error_of("http://host").find("redis://"), std::string::npos);
  EXPECT_NE(error_of("rediss://host").find("TLS"), std::string::npos);
  EXPECT_NE(error_of("redis://host:0").find("port"), std::string::npos);
  EXPECT_NE(error_of("redis://host:65536").find("port"), std::string::npos);
  EXPECT_NE(error_of("redis://host:x").find("port"), std::string::npos);
  EXPECT_NE(error_of("redis://host/abc").find("database"), std::string::npos);
  EXPECT_NE(error_of("redis://host/-1").find("database"), std::string::npos);
  EXPECT_NE(error_of("redis://:6379").find("host"), std::string::npos);
  EXPECT_NE(error_of("redis://ho st").find("host"), std::string::npos);
  EXPECT_NE(error_of("redis://[::1").find("]"), std::string::npos);
  EXPECT_NE(error_of("redis://host?timeout=1").find("query"), std::string::npos);
  EXPECT_NE(error_of("unix://relative.sock").find("absolute"), std::string::npos);
  EXPECT_NE(error_of("unix:///tmp/r.sock?timeout=1").find("db="), std::string::npos);
  std::string bad_escape = error_of("redis://:hunter2%zz@host");
  EXPECT_NE(bad_escape.find("escape"), std::string::npos);
  EXPECT_EQ(bad_escape.find("hunter2"), std::string::npos);
  EXPECT_EQ(error_of("redis://:topsecret@host:99999").find("topsecret"), std::string::npos);
}

}  // namespace
}  // namespace fathom::store_redis
