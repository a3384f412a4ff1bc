// Tests proxy/core/bootstrap_file.cpp and bootstrap_detail() of proxy/core/bootstrap.cpp: when the
// bootstrap-token file goes, that it goes once, and what a bootstrap says in the audit.
#include "core/bootstrap_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/bootstrap.h"
#include "support/temp_dir.h"

namespace fathom {
namespace {

TokenRecord admin_token(std::string id) {
  TokenRecord t;
  t.token_id = std::move(id);
  t.secret_hash = "hash-" + t.token_id;
  t.scopes = {"admin"};
  t.created_at = 1000;
  return t;
}

TEST(BootstrapTokenFile, RetiredWhenRevokedRotatedExpiredOrUnknown) {
  TokenRecord t = admin_token("tok_boot");
  EXPECT_EQ(BootstrapTokenFile::retire_reason(&t, 2000), "");
  EXPECT_EQ(BootstrapTokenFile::retire_reason(nullptr, 2000), "the store does not know the token");
  TokenRecord rotated = t;
  rotated.rotated_to = "tok_next";  // still active: rotated away all the same
  EXPECT_EQ(BootstrapTokenFile::retire_reason(&rotated, 2000), "rotated to tok_next");
  TokenRecord expired = t;
  expired.expires_at = 1500;
  EXPECT_EQ(BootstrapTokenFile::retire_reason(&expired, 2000), "expired");
  EXPECT_EQ(BootstrapTokenFile::retire_reason(&expired, 1400), "");
  TokenRecord revoked = t;
  revoked.revoked_at = 1800;
  EXPECT_EQ(BootstrapTokenFile::retire_reason(&revoked, 2000), "revoked");
}

TEST(BootstrapTokenFile, RemovesTheFileOnce) {
  test::TempDir dir;
  const std::string path = dir.path() + "/bootstrap-token";
  std::ofstream(path) << "fth_secret\n";
  BootstrapTokenFile watch(path, "hash");
  watch.remove("tok_boot", "revoked");
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(watch.removed());
  // A file written afterwards by someone else is not this watch's business.
  std::ofstream(path) << "other\n";
  watch.remove("tok_boot", "revoked");
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST(BootstrapDetail, AForcedBootstrapSaysSoAndNamesTheAdminsActiveThen) {
  TokenRecord a = admin_token("tok_a");
  TokenRecord gone = admin_token("tok_gone");
  gone.revoked_at = 1500;
  TokenRecord manager = admin_token("tok_m");
  manager.scopes = {"tokens:manage"};
  const std::string detail = bootstrap_detail(BootstrapWhen::forced, {a, gone, manager}, 2000);
  EXPECT_NE(detail.find("forced bootstrap"), std::string::npos) << detail;
  EXPECT_NE(detail.find("tok_a"), std::string::npos) << detail;
  EXPECT_EQ(detail.find("tok_gone"), std::string::npos) << detail;
  EXPECT_EQ(detail.find("tok_m"), std::string::npos) << detail;
  EXPECT_NE(bootstrap_detail(BootstrapWhen::forced, {}, 2000).find("none"), std::string::npos);
  EXPECT_EQ(bootstrap_detail(BootstrapWhen::no_lasting_admin, {a}, 2000).find("forced"),
            std::string::npos);
}

}  // namespace
}  // namespace fathom
