// The CLI against the TLS listener: https:// with --ca-file works, and without the CA the
// daemon's certificate is refused with a message saying what to pass.
#include <gtest/gtest.h>

#include "support/cli_process.h"
#include "support/lake_process.h"
#include "support/token_api.h"
#include "tls_fixture.h"

namespace fathom::test::tls_tests {
namespace {

struct CliOverTls : TlsDaemonTest {
  CliResult run(std::vector<std::string> args, const std::string& host = "localhost") const {
    args.insert(args.end(), {"--url", "https://" + host + ":" + std::to_string(daemon.port())});
    return run_cli(args, {{"FATHOM_ADMIN_TOKEN", admin_token}}, scratch);
  }
};

TEST_F(CliOverTls, HttpsWithTheCaFileWorks) {
  CliResult r = run({"tokens", "list", "--json", "--ca-file", tls.ca_path()});
  ASSERT_EQ(r.code(), 0) << r.describe();
  nlohmann::json doc = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(doc.is_discarded()) << r.out;

  CliResult by_ip = run({"tokens", "list", "--ca-file", tls.ca_path()}, "127.0.0.1");
  EXPECT_EQ(by_ip.code(), 0) << by_ip.describe();
}

TEST_F(CliOverTls, AnUntrustedCertificateIsRefusedAndSaysWhatToPass) {
  CliResult r = run({"tokens", "list"});  // the system store does not know the test's CA
  EXPECT_EQ(r.code(), 3) << r.describe();
  EXPECT_NE(r.err.find("certificate was not accepted"), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find("--ca-file"), std::string::npos) << r.describe();
  EXPECT_EQ(r.err.find(admin_token), std::string::npos);
}

TEST_F(CliOverTls, AnUnreadableCaFileIsALocalError) {
  CliResult r = run({"tokens", "list", "--ca-file", scratch.file("nope.pem")});
  EXPECT_EQ(r.code(), 1) << r.describe();
  EXPECT_NE(r.err.find("--ca-file: cannot read"), std::string::npos) << r.describe();
}

}  // namespace
}  // namespace fathom::test::tls_tests
