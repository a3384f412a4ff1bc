// The TLS listener: curl with the test's CA gets through with a token and 401 without, TLS 1.1
// is refused by the daemon itself, and a config whose files cannot be used does not start.
#include <gtest/gtest.h>

#include "support/lake_echo.h"
#include "support/lake_process.h"
#include "support/token_api.h"
#include "tls_fixture.h"

namespace fathom::test::tls_tests {
namespace {

struct TlsListener : TlsDaemonTest {
  // A curl header file: the token stays out of the command line.
  std::string bearer_file() const {
    std::string path = scratch.file("auth.header");
    write_file(path, "Authorization: Bearer " + admin_token + "\n");
    return path;
  }
};

TEST_F(TlsListener, CurlWithTheCaGetsThroughWithATokenAnd401Without) {
  RunResult ok =
      curl(scratch, {"--cacert", tls.ca_path(), "--header", "@" + bearer_file(), "--write-out",
                     "\n%{http_code}", url_of(daemon.port(), "/v1/tokens")});
  ASSERT_TRUE(ok.status.success()) << ok.err;
  EXPECT_TRUE(ok.out.ends_with("\n200")) << ok.out;

  RunResult anonymous = curl(scratch, {"--cacert", tls.ca_path(), "--write-out", "\n%{http_code}",
                                       url_of(daemon.port(), "/v1/tokens")});
  ASSERT_TRUE(anonymous.status.success()) << anonymous.err;
  EXPECT_TRUE(anonymous.out.ends_with("\n401")) << anonymous.out;
}

TEST_F(TlsListener, CurlWithoutTheCaRefusesTheCertificate) {
  RunResult r = curl(scratch, {"--write-out", "%{http_code}", url_of(daemon.port(), "/healthz")});
  EXPECT_EQ(r.status.code, 60) << r.err;  // curl: peer certificate cannot be authenticated
}

TEST_F(TlsListener, Tls12And13AreServedWithAlpnHttp11) {
  TlsConnection c = TlsConnection::open(daemon.port(), tls.ca_path());
  EXPECT_EQ(c.protocol(), "TLSv1.3");
  EXPECT_EQ(c.alpn(), "http/1.1");
  EXPECT_EQ(c.peer_fingerprint(), tls.served.fingerprint);

  RunResult v12 =
      curl(scratch, {"--cacert", tls.ca_path(), "--tls-max", "1.2", "--write-out", "%{http_code}",
                     url_of(daemon.port(), "/healthz"), "--output", "/dev/null"});
  ASSERT_TRUE(v12.status.success()) << v12.err;
  EXPECT_EQ(v12.out, "200");
}

TEST_F(TlsListener, Tls11IsRefusedByTheDaemon) {
  // SECLEVEL=0 lets curl's own OpenSSL offer TLS 1.1 at all, so that the refusal seen here is
  // the daemon's (its log says so), not the client's.
  RunResult r =
      curl(scratch, {"--cacert", tls.ca_path(), "--tlsv1.1", "--tls-max", "1.1", "--ciphers",
                     "DEFAULT:@SECLEVEL=0", url_of(daemon.port(), "/healthz")});
  EXPECT_FALSE(r.status.success()) << r.out;
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(daemon.wait_for_stderr("unsupported protocol", std::chrono::seconds(10)))
      << daemon.stderr_text();
}

TEST_F(TlsListener, PlainHttpOnTheTlsPortGetsNoAnswer) {
  HttpConnection c = HttpConnection::open(daemon.port());
  c.send_all(request("GET", "/healthz"));
  CloseCheck closed = c.wait_closed();
  EXPECT_TRUE(closed.closed);
  EXPECT_EQ(closed.extra.find("HTTP/1.1"), std::string::npos) << closed.extra;
}

TEST(TlsForwarding, TheLakeIsToldTheClientCameOverHttps) {
  TlsFiles tls;
  LakeProcess lake;
  nlohmann::json config = DaemonProcess::public_config(lake.port());
  tls.enable(config);
  DaemonProcess daemon(config, tls_ready(tls.ca_path()));
  Response r = fetch_tls(daemon.port(), tls.ca_path(), "GET", "/echo/headers");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(echoed_headers(r.json(), "X-Forwarded-Proto"), std::vector<std::string>{"https"});
}

// check-config reads the files, so a broken TLS setup is found before a restart.
RunResult check_config(const TempDir& dir, const nlohmann::json& config) {
  return run_to_exit({daemon_binary(), "check-config", write_config(dir, config)}, dir.path(),
                     std::chrono::seconds(30));
}

TEST(TlsConfig, UnusableFilesAreRefusedNamingTheKey) {
  TlsFiles tls;
  TempDir dir;
  nlohmann::json config = DaemonProcess::bare_config(8202);

  tls.enable(config);
  RunResult ok = check_config(dir, config);
  EXPECT_EQ(ok.status.code, 0) << ok.err;

  config["tls"]["cert"] = tls.files.file("missing.pem");
  RunResult missing = check_config(dir, config);
  EXPECT_EQ(missing.status.code, 2);
  EXPECT_NE(missing.err.find("tls.cert: cannot read " + tls.files.file("missing.pem")),
            std::string::npos)
      << missing.err;

  // A key of another certificate.
  IssuedCert other = tls.ca.issue_localhost();
  other.write(tls.files.file("other-cert.pem"), tls.files.file("other-key.pem"));
  tls.enable(config);
  config["tls"]["key"] = tls.files.file("other-key.pem");
  RunResult mismatch = check_config(dir, config);
  EXPECT_EQ(mismatch.status.code, 2);
  EXPECT_NE(mismatch.err.find("tls.key: "), std::string::npos) << mismatch.err;
  EXPECT_NE(mismatch.err.find("is not the private key of the certificate"), std::string::npos)
      << mismatch.err;
  EXPECT_EQ(mismatch.err.find("PRIVATE KEY"), std::string::npos) << mismatch.err;

  // A key where the certificate should be.
  tls.enable(config);
  config["tls"]["cert"] = tls.key_path();
  RunResult not_cert = check_config(dir, config);
  EXPECT_EQ(not_cert.status.code, 2);
  EXPECT_NE(not_cert.err.find("tls.cert: "), std::string::npos) << not_cert.err;

  config["tls"] = {{"cert", tls.cert_path()}};
  RunResult half = check_config(dir, config);
  EXPECT_EQ(half.status.code, 2);
  EXPECT_NE(half.err.find("tls.key: is required with tls.cert"), std::string::npos) << half.err;
}

}  // namespace
}  // namespace fathom::test::tls_tests
