// No secret at rest or in logs: after minting, using, rotating and revoking tokens (and
// presenting some bad ones), no file under state_dir and nothing the daemon printed holds any
// of those secrets, not even their random part alone. The one file meant to hold a secret is
// <state_dir>/bootstrap-token, and it holds only the bootstrap token.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "integration/tokens/token_checks.h"
#include "support/temp_dir.h"
#include "support/token_api.h"

namespace fathom::test {
namespace {

struct Scanned {
  std::string path;
  std::string content;
};

std::vector<Scanned> every_file_under(const std::string& dir) {
  std::vector<Scanned> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back({entry.path().string(), read_file(entry.path())});
  }
  return files;
}

TEST(TokensSecrets, NoSecretIsStoredOrLogged) {
  TokenProxy p([](nlohmann::json& config) {
    // The most verbose level: every policy decision is logged too.
    config["log"]["level"] = "debug";
  });
  TokenApi admin = p.admin();
  std::vector<std::string> secrets;
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ApiReply r =
        admin.mint("secret-" + std::to_string(i), {"lake:read", "lake:write"},
                   i % 2 ? nlohmann::json{{"expires_in", 3600}} : nlohmann::json::object());
    ASSERT_EQ(r.status, 201) << r.describe();
    secrets.push_back(r.body["token"]);
    ids.push_back(r.body["token_id"]);
  }
  ApiReply rotated = admin.rotate(ids[0], 60);
  ASSERT_EQ(rotated.status, 201) << rotated.describe();
  secrets.push_back(rotated.body["token"]);
  ASSERT_EQ(admin.revoke(ids[1]).status, 200);
  for (const std::string& s : secrets) {
    tokens::get_stats(p.port(), s);
    fetch(p.port(), "POST", "/v1/items", bearer(s), "{}");
  }
  // Tokens presented and refused are someone's secrets too (perhaps another deployment's).
  std::vector<std::string> presented = {tokens::unminted_token('K'),
                                        tokens::with_flipped_char(secrets[2])};
  for (const std::string& s : presented) tokens::get_stats(p.port(), s);
  fetch(p.port(), "GET", "/v1/stats?access_token=" + secrets[3]);

  // A clean stop, so that whatever the daemon buffers (coalesced last-used times, the journal)
  // is on disk when the files are read.
  ASSERT_TRUE(p.daemon.terminate().has_value());

  const std::string state_dir = state_dir_of(p.daemon);
  std::vector<Scanned> files = every_file_under(state_dir);
  files.push_back({"daemon stderr", p.daemon.stderr_text()});
  files.push_back({"daemon stdout", read_file(p.daemon.dir().file("daemon.stdout"))});
  files.push_back({"lake record", read_file(p.lake.record_path())});
  bool saw_journal = false;
  for (const Scanned& f : files) saw_journal |= f.path.ends_with("/store/journal");
  EXPECT_TRUE(saw_journal) << "no store journal under " << state_dir << ": scanned the wrong place";

  std::vector<std::string> all = secrets;
  all.insert(all.end(), presented.begin(), presented.end());
  for (const Scanned& f : files) {
    const bool bootstrap_file = f.path == state_dir + "/bootstrap-token";
    for (const std::string& s : all) {
      // The random part alone: a store that strips "fth_" or the checksum still leaks.
      EXPECT_EQ(f.content.find(s.substr(4, 32)), std::string::npos)
          << "a secret (" << s.substr(0, 8) << "...) is in " << f.path;
    }
    if (!bootstrap_file) {
      EXPECT_EQ(f.content.find(p.admin_token.substr(4, 32)), std::string::npos)
          << "the bootstrap token is in " << f.path;
    }
  }

  struct stat st {};
  ASSERT_EQ(::stat((state_dir + "/token-hash.key").c_str(), &st), 0) << "no token-hash.key";
  EXPECT_EQ(st.st_mode & 07777, 0600u)
      << "token-hash.key mode " << std::oct << (st.st_mode & 07777);
}

}  // namespace
}  // namespace fathom::test
