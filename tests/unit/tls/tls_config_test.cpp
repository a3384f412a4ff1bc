// The tls and upstream.ca_file keys as the config loader reads them.
#include <gtest/gtest.h>

#include "config/config.h"

namespace fathom {
namespace {

Config parse(std::string_view text) {
  return parse_config(text, "t.json", "/srv/fathom/conf", "/nonexistent");
}

std::string error_of(std::string_view text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(TlsConfigKeys, PathsResolveAgainstTheConfigFolder) {
  Config c = parse(R"({"tls": {"cert": "tls/cert.pem", "key": "/etc/k.pem"}})");
  EXPECT_TRUE(c.tls.enabled());
  EXPECT_EQ(c.tls.cert, "/srv/fathom/conf/tls/cert.pem");
  EXPECT_EQ(c.tls.key, "/etc/k.pem");
  EXPECT_FALSE(parse("{}").tls.enabled());
}

TEST(TlsConfigKeys, BothOrNeither) {
  EXPECT_EQ(error_of(R"({"tls": {"cert": "c.pem"}})"),
            "t.json: tls.key: is required with tls.cert");
  EXPECT_EQ(error_of(R"({"tls": {"key": "k.pem"}})"), "t.json: tls.cert: is required with tls.key");
  EXPECT_EQ(error_of(R"({"tls": {"cert": "c", "key": "k", "ca": "x"}})"),
            "t.json: tls.ca: unknown key");
  EXPECT_EQ(error_of(R"({"tls": {"cert": "", "key": "k"}})"),
            "t.json: tls.cert: must not be empty");
}

TEST(TlsConfigKeys, HttpsUpstreams) {
  Config c = parse(R"({"upstream": {"url": "https://lake.example", "ca_file": "ca.pem"}})");
  EXPECT_EQ(c.upstream.scheme, "https");
  EXPECT_EQ(c.upstream.port, 443);
  EXPECT_EQ(c.upstream.authority, "lake.example:443");
  EXPECT_EQ(c.upstream.ca_file, "/srv/fathom/conf/ca.pem");
  EXPECT_EQ(parse(R"({"upstream": {"url": "HTTPS://[::1]:8443"}})").upstream.scheme, "https");
  EXPECT_EQ(parse(R"({"upstream": {"url": "https://x"}})").upstream.ca_file, "");
  EXPECT_EQ(error_of(R"({"upstream": {"url": "http://x", "ca_file": "ca.pem"}})"),
            "t.json: upstream.ca_file: is only for an https:// upstream.url");
}

}  // namespace
}  // namespace fathom
