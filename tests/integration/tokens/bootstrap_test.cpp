// The first admin token: written once to <state_dir>/bootstrap-token (0600) on the first start,
// never logged, not minted again on a restart, and `fathom-auth bootstrap` refuses while an
// admin token is active and mints one when none is.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include "integration/tokens/token_checks.h"
#include "support/binaries.h"
#include "support/child_process.h"
#include "support/temp_dir.h"
#include "support/token_api.h"

namespace fathom::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

nlohmann::json config_in(const LakeProcess& lake, const TempDir& state) {
  nlohmann::json config = token_config(lake.port());
  config["state_dir"] = state.path();
  return config;
}

RunResult run_bootstrap(const std::string& config_path, const TempDir& scratch) {
  return run_to_exit({daemon_binary(), "bootstrap", "--config", config_path}, scratch.path(),
                     seconds(30));
}

std::vector<std::string> tokens_in(const std::string& text) {
  static const std::regex shape("fth_[0-9A-Za-z]{38}");
  std::vector<std::string> found;
  for (std::sregex_iterator it(text.begin(), text.end(), shape), end; it != end; ++it) {
    found.push_back(it->str());
  }
  return found;
}

TEST(TokensBootstrap, FirstStartWritesAWorkingAdminTokenOnceAndNeverLogsIt) {
  TempDir state;
  LakeProcess lake;
  const std::string path = state.path() + "/bootstrap-token";
  std::string token;
  std::string first_config_path;
  TempDir scratch;
  {
    DaemonProcess daemon(config_in(lake, state));
    token = read_bootstrap_token(state.path());
    first_config_path = daemon.config_path();

    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u)
        << "bootstrap-token mode " << std::oct << (st.st_mode & 07777);
    EXPECT_EQ(read_file(path), token + "\n") << "one line, the token";
    EXPECT_TRUE(tokens::well_formed_token(token)) << token;

    ApiReply me = TokenApi(daemon.port(), token).me();
    ASSERT_EQ(me.status, 200) << me.describe();
    EXPECT_EQ(me.body["name"], "bootstrap-admin");
    EXPECT_EQ(me.body["scopes"], nlohmann::json({"admin"}));
    EXPECT_EQ(tokens::get_stats(daemon.port(), token).status, 200) << "admin holds lake:read";

    const std::string err = daemon.stderr_text();
    EXPECT_NE(err.find(path), std::string::npos) << "the log does not name " << path << ":\n"
                                                 << err;
    EXPECT_EQ(err.find(token.substr(4, 32)), std::string::npos) << "the token is in the log";
    EXPECT_EQ(read_file(daemon.dir().file("daemon.stdout")).find(token.substr(4, 32)),
              std::string::npos);
    ASSERT_TRUE(daemon.terminate().has_value());

    // While stopped, the CLI refuses: an admin token is active.
    RunResult refused = run_bootstrap(first_config_path, scratch);
    EXPECT_FALSE(refused.timed_out);
    EXPECT_TRUE(refused.status.exited && refused.status.code == 1)
        << refused.status.describe() << "\nstdout: " << refused.out << "\nstderr: " << refused.err;
    EXPECT_TRUE(tokens_in(refused.out + refused.err).empty()) << "it printed a token anyway";
    EXPECT_FALSE(refused.err.empty()) << "a refusal should say why";
  }

  // A restart on the same state: no second bootstrap token, the first one still works.
  DaemonProcess again(config_in(lake, state));
  EXPECT_EQ(read_file(path), token + "\n") << "the bootstrap file was rewritten";
  TokenApi admin(again.port(), token);
  ApiReply all = admin.list("all");
  ASSERT_EQ(all.status, 200) << all.describe();
  ASSERT_EQ(all.body["tokens"].size(), 1u) << "a restart minted another token: " << all.describe();
  EXPECT_EQ(again.stderr_text().find(token.substr(4, 32)), std::string::npos);
}

TEST(TokensBootstrap, CliMintsAnAdminTokenWhenNoLastingOneIsActive) {
  TempDir state;
  TempDir scratch;
  LakeProcess lake;
  std::string config_path;
  std::string first;
  {
    DaemonProcess daemon(config_in(lake, state));
    // The daemon's own folder goes with it; the CLI needs the config after that.
    config_path = write_config(scratch, daemon.config(), "bootstrap-config.json");
    first = read_bootstrap_token(state.path());
    TokenApi bootstrap(daemon.port(), first);
    // The only way to have no lasting admin token: an admin lasting for a few seconds more (24 h
    // and 4 s), which may revoke the bootstrap one while it is lasting, and then stops counting.
    ApiReply temporary = bootstrap.mint("temporary-admin", {"admin"}, {{"expires_in", 86400 + 4}});
    ASSERT_EQ(temporary.status, 201) << temporary.describe();
    ApiReply me = bootstrap.me();
    ASSERT_EQ(me.status, 200);
    ApiReply revoked = TokenApi(daemon.port(), temporary.body["token"])
                           .revoke(me.body["token_id"].get<std::string>());
    // Whole seconds: at least 2 s of the 4 are left for this revoke.
    ASSERT_EQ(revoked.status, 200) << revoked.describe();
    std::this_thread::sleep_for(milliseconds(4200));  // no longer lasting now, though active
    ASSERT_EQ(TokenApi(daemon.port(), temporary.body["token"]).me().status, 200);
    ASSERT_TRUE(daemon.terminate().has_value());
  }

  RunResult made = run_bootstrap(config_path, scratch);
  ASSERT_TRUE(made.status.success())
      << made.status.describe() << "\nstdout: " << made.out << "\nstderr: " << made.err;
  std::vector<std::string> printed = tokens_in(made.out);
  ASSERT_EQ(printed.size(), 1u) << "stdout: " << made.out;
  EXPECT_TRUE(tokens::well_formed_token(printed[0]));
  EXPECT_NE(printed[0], first);
  EXPECT_EQ(made.err.find(printed[0]), std::string::npos) << "the token went to stderr too";

  DaemonProcess daemon(config_in(lake, state));
  ApiReply me = TokenApi(daemon.port(), printed[0]).me();
  ASSERT_EQ(me.status, 200) << me.describe();
  EXPECT_EQ(me.body["scopes"], nlohmann::json({"admin"}));
  tokens::expect_invalid_token(TokenApi(daemon.port(), first).me().response, true);

  // And with that one active, the CLI refuses again (the daemon must be stopped for it).
  ASSERT_TRUE(daemon.terminate().has_value());
  RunResult refused = run_bootstrap(config_path, scratch);
  EXPECT_TRUE(refused.status.exited && refused.status.code == 1) << refused.status.describe();
}

}  // namespace
}  // namespace fathom::test
