// What the CLI tests share: a lake and a daemon serving the token routes (TokenProxy), the
// environment that points the CLI at them with the bootstrap admin token, and small readers of
// the CLI's output.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/cli_process.h"
#include "support/temp_dir.h"
#include "support/token_api.h"

namespace fathom::test::cli {

// The exit codes `fathom-auth --help` documents.
inline constexpr int kOk = 0;
inline constexpr int kLocal = 1;
inline constexpr int kRefused = 2;
inline constexpr int kUnreachable = 3;
inline constexpr int kNotFound = 4;
inline constexpr int kConflict = 5;
inline constexpr int kAmbiguous = 6;
inline constexpr int kUnconfirmed = 7;
inline constexpr int kUsage = 64;

inline std::string url_of(uint16_t port) {
  return "http://127.0.0.1:" + std::to_string(port);
}

struct CliTest : ::testing::Test {
  TokenProxy proxy;
  TempDir scratch;

  // The CLI pointed at the daemon with `token` (the bootstrap admin's by default).
  CliEnv env(const std::string& token = "") const {
    return {{"FATHOM_ADMIN_TOKEN", token.empty() ? proxy.admin_token : token},
            {"FATHOM_URL", url_of(proxy.port())}};
  }
  CliResult run(const std::vector<std::string>& args) const {
    return run_cli(args, env(), scratch);
  }
  // stdout parsed as one JSON document; a JSON null (so that assertions fail readably) if it is
  // not one.
  static nlohmann::json json_of(const CliResult& r) {
    nlohmann::json doc = nlohmann::json::parse(r.out, nullptr, false);
    return doc.is_discarded() ? nlohmann::json() : doc;
  }
  // Mints a token through the API and returns the answer (with "token" and "token_id").
  nlohmann::json mint(const std::string& name, const std::vector<std::string>& scopes) const {
    ApiReply r = proxy.admin().mint(name, scopes);
    EXPECT_EQ(r.status, 201) << r.describe();
    return r.body;
  }
};

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace fathom::test::cli
