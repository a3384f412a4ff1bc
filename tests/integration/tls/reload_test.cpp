// SIGHUP re-reads the certificate: a connection opened before the reload keeps working on the
// certificate it started with, new connections get the new one, and a reload whose files cannot
// be used is refused while the old certificate keeps serving.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "support/lake_process.h"
#include "tls_fixture.h"

namespace fathom::test::tls_tests {
namespace {

struct TlsReload : ::testing::Test {
  TlsFiles tls;
  LakeProcess lake;
  nlohmann::json config = [this] {
    nlohmann::json c = DaemonProcess::public_config(lake.port());
    tls.enable(c);
    return c;
  }();
  DaemonProcess daemon{config, tls_ready(tls.ca_path())};

  // Sends SIGHUP with the same config and waits for the daemon's verdict in its log.
  void reload_and_wait(const std::string& verdict, size_t earlier) {
    daemon.reload(config);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (count(verdict) <= earlier) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << daemon.stderr_text();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  size_t count(const std::string& event) const {
    const std::string needle = "\"event\":\"" + event + "\"";
    std::string text = daemon.stderr_text();
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
      ++n;
    }
    return n;
  }
};

TEST_F(TlsReload, OpenConnectionsKeepTheirsAndNewOnesGetTheNewCertificate) {
  TlsConnection before = TlsConnection::open(daemon.port(), tls.ca_path());
  before.send_all(request("GET", "/before"));
  ASSERT_EQ(before.read_response().status, 200);
  ASSERT_EQ(before.peer_fingerprint(), tls.served.fingerprint);

  IssuedCert renewed = tls.ca.issue_localhost();
  renewed.write(tls.cert_path(), tls.key_path());
  reload_and_wait("reloaded", count("reloaded"));

  // The keep-alive connection from before the reload still serves requests.
  before.send_all(request("GET", "/after"));
  Response again = before.read_response();
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(before.peer_fingerprint(), tls.served.fingerprint);

  TlsConnection after = TlsConnection::open(daemon.port(), tls.ca_path());
  EXPECT_EQ(after.peer_fingerprint(), renewed.fingerprint);
  after.send_all(request("GET", "/new"));
  EXPECT_EQ(after.read_response().status, 200);
}

TEST_F(TlsReload, AReloadWithABrokenCertificateIsRefusedAndTheOldOneServes) {
  // The renewal went wrong: a new key was written but the certificate is still the old one.
  IssuedCert renewed = tls.ca.issue_localhost();
  write_file(tls.key_path(), renewed.key_pem);
  reload_and_wait("reload_refused", count("reload_refused"));
  std::string log = daemon.stderr_text();
  EXPECT_NE(log.find("tls.key: "), std::string::npos) << log;
  EXPECT_EQ(log.find("PRIVATE KEY"), std::string::npos) << "the key reached the log";

  TlsConnection c = TlsConnection::open(daemon.port(), tls.ca_path());
  EXPECT_EQ(c.peer_fingerprint(), tls.served.fingerprint);
  c.send_all(request("GET", "/still-served"));
  EXPECT_EQ(c.read_response().status, 200);

  // An unreadable certificate is refused the same way.
  std::filesystem::remove(tls.cert_path());
  reload_and_wait("reload_refused", count("reload_refused"));
  EXPECT_NE(daemon.stderr_text().find("tls.cert: cannot read"), std::string::npos);
  Response r = fetch_tls(daemon.port(), tls.ca_path(), "GET", "/healthz");
  EXPECT_EQ(r.status, 200);
}

}  // namespace
}  // namespace fathom::test::tls_tests
