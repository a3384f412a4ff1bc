// Where the CLI takes its admin token from (FATHOM_ADMIN_TOKEN or --token-file, never a flag),
// and what it says when it has none, when the token is refused, or when no daemon answers.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "integration/cli/cli_fixture.h"
#include "support/ports.h"

namespace fathom::test::cli {
namespace {

using CliCredentials = CliTest;

TEST_F(CliCredentials, ATokenFlagIsRefusedWithoutEchoingTheToken) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"tokens", "list", "--token", proxy.admin_token},
        std::vector<std::string>{"tokens", "list", "--token=" + proxy.admin_token},
        std::vector<std::string>{"rotate", "x", "--token", proxy.admin_token}}) {
    CliResult r = run_cli(args, {{"FATHOM_URL", url_of(proxy.port())}}, scratch);
    EXPECT_EQ(r.code(), kUsage) << r.describe();
    EXPECT_TRUE(contains(r.err, "FATHOM_ADMIN_TOKEN")) << r.describe();
    EXPECT_TRUE(contains(r.err, "--token-file")) << r.describe();
    EXPECT_FALSE(contains(r.err + r.out, proxy.admin_token)) << "the token was echoed back";
  }
}

TEST_F(CliCredentials, NoTokenAtAllSaysWhereToPutOne) {
  CliResult r = run_cli({"tokens", "list"}, {{"FATHOM_URL", url_of(proxy.port())}}, scratch);
  EXPECT_EQ(r.code(), kLocal) << r.describe();
  EXPECT_TRUE(contains(r.err, "FATHOM_ADMIN_TOKEN")) << r.describe();
}

TEST_F(CliCredentials, TokenFileIsReadAndMustNotBeReadableByOthers) {
  const std::string path = scratch.file("admin-token");
  write_file(path, proxy.admin_token + "\n");
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  const CliEnv no_env = {{"FATHOM_URL", url_of(proxy.port())}};
  CliResult ok = run_cli({"tokens", "list", "--token-file", path, "--json"}, no_env, scratch);
  ASSERT_EQ(ok.code(), kOk) << ok.describe();
  EXPECT_TRUE(json_of(ok).contains("tokens")) << ok.describe();

  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  CliResult group = run_cli({"tokens", "list", "--token-file", path}, no_env, scratch);
  EXPECT_EQ(group.code(), kOk) << group.describe();
  EXPECT_TRUE(contains(group.err, "warning")) << group.describe();

  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  CliResult world = run_cli({"tokens", "list", "--token-file", path}, no_env, scratch);
  EXPECT_EQ(world.code(), kLocal) << world.describe();
  EXPECT_TRUE(contains(world.err, "chmod 600")) << world.describe();
  EXPECT_FALSE(contains(world.err, proxy.admin_token));
}

TEST_F(CliCredentials, ARefusedTokenIsExitCode2AndNamesWhereItCameFrom) {
  CliResult r = run_cli(
      {"tokens", "list"},
      {{"FATHOM_ADMIN_TOKEN", "fth_notatoken"}, {"FATHOM_URL", url_of(proxy.port())}}, scratch);
  EXPECT_EQ(r.code(), kRefused) << r.describe();
  EXPECT_TRUE(contains(r.err, "401")) << r.describe();
  EXPECT_TRUE(contains(r.err, "FATHOM_ADMIN_TOKEN")) << r.describe();
  EXPECT_FALSE(contains(r.err, "fth_notatoken"));
}

TEST_F(CliCredentials, ATokenWithoutTokensManageIsRefused) {
  ApiReply reader = proxy.admin().mint("reader", {"lake:read"});
  ASSERT_EQ(reader.status, 201) << reader.describe();
  CliResult r = run_cli({"tokens", "list"}, env(reader.body["token"].get<std::string>()), scratch);
  EXPECT_EQ(r.code(), kRefused) << r.describe();
  EXPECT_TRUE(contains(r.err, "403")) << r.describe();
}

TEST_F(CliCredentials, UrlFlagWinsOverTheEnvironmentAndBadUrlsAreLocalErrors) {
  CliResult flag = run_cli(
      {"tokens", "list", "--url", url_of(proxy.port())},
      {{"FATHOM_ADMIN_TOKEN", proxy.admin_token}, {"FATHOM_URL", "http://127.0.0.1:1"}}, scratch);
  EXPECT_EQ(flag.code(), kOk) << flag.describe();
  // https:// is tested against a TLS listener in tests/integration/tls/cli_tls_test.cpp.
  CliResult ca = run({"tokens", "list", "--url", url_of(proxy.port()), "--ca-file", "/x.pem"});
  EXPECT_EQ(ca.code(), kLocal) << ca.describe();
  EXPECT_TRUE(contains(ca.err, "--ca-file is only for an https://")) << ca.describe();
  CliResult path = run({"tokens", "list", "--url", "http://127.0.0.1:8201/v1"});
  EXPECT_EQ(path.code(), kLocal) << path.describe();
}

TEST(CliUnreachable, NoDaemonIsExitCode3AndSaysSo) {
  TempDir scratch;
  const std::string url = url_of(free_port());
  CliResult r =
      run_cli({"tokens", "list"}, {{"FATHOM_ADMIN_TOKEN", "fth_x"}, {"FATHOM_URL", url}}, scratch);
  EXPECT_EQ(r.code(), kUnreachable) << r.describe();
  EXPECT_TRUE(contains(r.err, "cannot connect to " + url)) << r.describe();
  EXPECT_TRUE(contains(r.err, "is fathom-auth running")) << r.describe();
}

TEST(CliHelp, EveryLevelAnswersHelpWithoutADaemon) {
  TempDir scratch;
  const std::vector<std::vector<std::string>> levels = {
      {"--help"},
      {"tokens", "--help"},
      {"tokens", "list", "--help"},
      {"tokens", "create", "--help"},
      {"tokens", "show", "--help"},
      {"tokens", "revoke", "--help"},
      {"tokens", "rotate", "--help"},
      {"rotate", "--help"},
      {"pair-code", "--help"},
      {"pair-code", "create", "--help"},
      {"pair-code", "list", "--help"},
      {"pair-code", "cancel", "--help"},
      {"audit", "--help"},
      {"audit", "verify", "--help"},
      {"serve", "--help"},
      {"check-config", "--help"},
      {"bootstrap", "--help"},
  };
  for (const auto& args : levels) {
    CliResult r = run_cli(args, {}, scratch);
    std::string shown;
    for (const std::string& a : args) shown += a + " ";
    EXPECT_EQ(r.code(), kOk) << shown << r.describe();
    EXPECT_TRUE(r.out.starts_with("usage: fathom-auth")) << shown << r.describe();
  }
  CliResult top = run_cli({"--help"}, {}, scratch);
  for (const char* needle :
       {"exit codes:", "tokens", "rotate", "pair-code", "audit", "check-config"}) {
    EXPECT_TRUE(contains(top.out, needle)) << needle << "\n" << top.out;
  }
}

TEST(CliHelp, UnknownCommandsAndOptionsAreUsageErrors) {
  TempDir scratch;
  EXPECT_EQ(run_cli({"tokens", "frobnicate"}, {}, scratch).code(), kUsage);
  EXPECT_EQ(run_cli({"tokens", "list", "--colour"}, {}, scratch).code(), kUsage);
  EXPECT_EQ(run_cli({"tokens", "create", "--name", "x"}, {}, scratch).code(), kUsage);
  EXPECT_EQ(run_cli({"no-such-command"}, {}, scratch).code(), kUsage);
}

}  // namespace
}  // namespace fathom::test::cli
