// An https:// upstream: the test lake behind a TLS terminator with a certificate from the test's
// CA. Verified against upstream.ca_file, pooled keep-alive connections reused over TLS, and a
// lake whose certificate the proxy cannot trust answered with 502 and a log line saying why.
#include <gtest/gtest.h>

#include "support/lake_echo.h"
#include "support/lake_process.h"
#include "support/tls_front.h"
#include "tls_fixture.h"

namespace fathom::test::tls_tests {
namespace {

struct HttpsUpstream : ::testing::Test {
  TlsFiles tls;  // the CA the proxy trusts, and the terminator's certificate
  LakeProcess lake;
  TlsFront front{lake.port(), tls.cert_path(), tls.key_path()};

  nlohmann::json config_for(const std::string& url, const std::string& ca_file) const {
    nlohmann::json c = DaemonProcess::public_config(lake.port());
    c["upstream"] = {{"url", url}, {"ca_file", ca_file}};
    return c;
  }
};

TEST_F(HttpsUpstream, RequestsGoThroughOnePooledTlsConnection) {
  DaemonProcess daemon(config_for(front.url(), tls.ca_path()));
  for (int i = 0; i < 5; ++i) {
    Response r = fetch(daemon.port(), "GET", "/echo/" + std::to_string(i));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["path"], "/echo/" + std::to_string(i));
  }
  // A POST with a body, the other direction of the relay.
  Response post = fetch(daemon.port(), "POST", "/echo/body", "", std::string(100'000, 'x'));
  EXPECT_EQ(post.status, 200) << post.body;
  // Sequential requests on one worker: the first made the connection, the rest reused it.
  EXPECT_EQ(front.handshakes(), 1);
  ASSERT_TRUE(lake.wait_for_heads(6, std::chrono::seconds(10)));
}

TEST_F(HttpsUpstream, ANameInTheUrlIsVerifiedAgainstTheCertificate) {
  DaemonProcess daemon(
      config_for("https://localhost:" + std::to_string(front.port()), tls.ca_path()));
  Response r = fetch(daemon.port(), "GET", "/by-name");
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(HttpsUpstream, ACertificateFromAnUnknownCaIs502AndLogged) {
  TestCa stranger("some other CA");
  stranger.write_cert(tls.files.file("stranger.pem"));
  DaemonProcess daemon(config_for(front.url(), tls.files.file("stranger.pem")));
  Response r = fetch(daemon.port(), "GET", "/secret");
  EXPECT_EQ(r.status, 502) << r.body;
  EXPECT_EQ(r.json()["error"], "upstream_unavailable");
  EXPECT_TRUE(
      daemon.wait_for_stderr("\"event\":\"upstream_tls_failed\"", std::chrono::seconds(10)));
  std::string log = daemon.stderr_text();
  EXPECT_NE(log.find("certificate verify failed"), std::string::npos) << log;
  EXPECT_EQ(lake.record_bytes(), 0u) << "the request reached the lake";
}

TEST_F(HttpsUpstream, ACertificateForAnotherHostIs502) {
  IssuedCert elsewhere = tls.ca.issue("elsewhere", {"elsewhere.example"}, {"10.1.2.3"});
  elsewhere.write(tls.files.file("elsewhere.pem"), tls.files.file("elsewhere.key"));
  TlsFront wrong_name(lake.port(), tls.files.file("elsewhere.pem"),
                      tls.files.file("elsewhere.key"));
  DaemonProcess daemon(config_for(wrong_name.url(), tls.ca_path()));
  Response r = fetch(daemon.port(), "GET", "/x");
  EXPECT_EQ(r.status, 502) << r.body;
  EXPECT_TRUE(
      daemon.wait_for_stderr("\"event\":\"upstream_tls_failed\"", std::chrono::seconds(10)));
  EXPECT_EQ(lake.record_bytes(), 0u);
}

TEST_F(HttpsUpstream, BothSidesOverTls) {
  nlohmann::json config = config_for(front.url(), tls.ca_path());
  tls.enable(config);
  DaemonProcess daemon(config, tls_ready(tls.ca_path()));
  TlsConnection c = TlsConnection::open(daemon.port(), tls.ca_path());
  for (int i = 0; i < 3; ++i) {
    c.send_all(request("GET", "/both/" + std::to_string(i)));
    Response r = c.read_response();
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(echoed_headers(r.json(), "X-Forwarded-Proto"), std::vector<std::string>{"https"});
  }
}

TEST(HttpsUpstreamConfig, CaFileIsOnlyForHttpsAndMustBeReadable) {
  TempDir dir;
  nlohmann::json config = DaemonProcess::bare_config(8202);
  config["upstream"]["ca_file"] = dir.file("ca.pem");
  RunResult http = run_to_exit({daemon_binary(), "check-config", write_config(dir, config)},
                               dir.path(), std::chrono::seconds(30));
  EXPECT_EQ(http.status.code, 2);
  EXPECT_NE(http.err.find("upstream.ca_file: is only for an https:// upstream.url"),
            std::string::npos)
      << http.err;

  config["upstream"]["url"] = "https://127.0.0.1:8443";
  RunResult missing = run_to_exit({daemon_binary(), "check-config", write_config(dir, config)},
                                  dir.path(), std::chrono::seconds(30));
  EXPECT_EQ(missing.status.code, 2);
  EXPECT_NE(missing.err.find("upstream.ca_file: cannot read " + dir.file("ca.pem")),
            std::string::npos)
      << missing.err;
}

}  // namespace
}  // namespace fathom::test::tls_tests
