// The TLS contexts on real files made by the test's CA: what they accept, and the key each
// refusal names.
#include "tls/tls_context.h"

#include <gtest/gtest.h>

#include <functional>

#include "support/temp_dir.h"
#include "support/test_certs.h"

namespace fathom::tls {
namespace {

using test::IssuedCert;
using test::TempDir;
using test::TestCa;

std::string key_of_error(const std::function<void()>& build, std::string* message = nullptr) {
  try {
    build();
  } catch (const TlsError& e) {
    if (message != nullptr) *message = e.what();
    return e.key();
  }
  return "(accepted)";
}

struct TlsContext : ::testing::Test {
  TempDir dir;
  TestCa ca;
  IssuedCert leaf = ca.issue_localhost();
  std::string cert = dir.file("cert.pem");
  std::string key = dir.file("key.pem");
  void SetUp() override { leaf.write(cert, key); }
};

TEST_F(TlsContext, AServerContextAllowsTls12AndUp) {
  ContextPtr ctx = make_server_context(cert, key);
  ASSERT_NE(ctx, nullptr);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx.get()), TLS1_2_VERSION);
  EXPECT_NE(SSL_CTX_get0_certificate(ctx.get()), nullptr);
}

TEST_F(TlsContext, RefusalsNameTheKeyAndNeverShowTheKey) {
  std::string message;
  EXPECT_EQ(key_of_error([&] { make_server_context(dir.file("none.pem"), key); }, &message),
            "tls.cert");
  EXPECT_NE(message.find("cannot read " + dir.file("none.pem")), std::string::npos) << message;

  EXPECT_EQ(key_of_error([&] { make_server_context(cert, dir.file("none.pem")); }), "tls.key");
  EXPECT_EQ(key_of_error([&] { make_server_context(key, key); }), "tls.cert");

  IssuedCert other = ca.issue_localhost();
  test::write_file(dir.file("other.key"), other.key_pem);
  EXPECT_EQ(key_of_error([&] { make_server_context(cert, dir.file("other.key")); }, &message),
            "tls.key");
  EXPECT_NE(message.find("is not the private key of the certificate in " + cert), std::string::npos)
      << message;
  EXPECT_EQ(message.find("PRIVATE"), std::string::npos);

  EXPECT_EQ(key_of_error([&] { make_server_context(cert, cert); }), "tls.key");
}

TEST_F(TlsContext, AClientContextVerifiesAgainstTheCaFile) {
  ca.write_cert(dir.file("ca.pem"));
  ContextPtr ctx = make_client_context(dir.file("ca.pem"), "upstream.ca_file");
  ASSERT_NE(ctx, nullptr);
  EXPECT_EQ(SSL_CTX_get_verify_mode(ctx.get()), SSL_VERIFY_PEER);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx.get()), TLS1_2_VERSION);
  EXPECT_NE(make_client_context("", "upstream.ca_file"), nullptr);  // the system store

  EXPECT_EQ(key_of_error([&] { make_client_context(dir.file("none.pem"), "upstream.ca_file"); }),
            "upstream.ca_file");
  test::write_file(dir.file("empty.pem"), "");
  EXPECT_EQ(key_of_error([&] { make_client_context(dir.file("empty.pem"), "--ca-file"); }),
            "--ca-file");
}

TEST_F(TlsContext, ExpectPeerTakesNamesAndAddresses) {
  ContextPtr ctx = make_client_context("", "x");
  for (const char* host : {"localhost", "127.0.0.1", "::1", "lake.example"}) {
    SSL* ssl = SSL_new(ctx.get());
    EXPECT_TRUE(expect_peer(ssl, host)) << host;
    SSL_free(ssl);
  }
}

}  // namespace
}  // namespace fathom::tls
