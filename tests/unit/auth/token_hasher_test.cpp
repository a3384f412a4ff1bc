#include "auth/token_hasher.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace fathom::auth {
namespace {

TokenHashKey key_of(unsigned char seed) {
  TokenHashKey key;
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(seed + 7 * i);
  return key;
}

std::string hex(const unsigned char* p, size_t n) {
  std::string out;
  char buf[3];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", p[i]);
    out += buf;
  }
  return out;
}

// The reference: OpenSSL's own one-shot HMAC.
std::string reference_hmac(const TokenHashKey& key, std::string_view secret) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), out, &len);
  return hex(out, len);
}

TEST(TokenHasher, EqualsOneShotHmac) {
  const TokenHashKey key = key_of(1);
  const TokenHasher hasher(key);
  // Lengths around the 64-byte SHA-256 block and its padding boundary (55/56) matter most.
  for (const size_t n : {0, 1, 42, 55, 56, 63, 64, 65, 119, 128, 1000}) {
    std::string secret(n, '\0');
    for (size_t i = 0; i < n; ++i) secret[i] = static_cast<char>('a' + i % 26);
    const std::string got = hasher.hash(secret);
    EXPECT_EQ(got.size(), 64u);
    EXPECT_EQ(got, reference_hmac(key, secret)) << n;
  }
  // Calls do not leak state into each other.
  EXPECT_EQ(hasher.hash("fth_x"), hasher.hash("fth_x"));
}

TEST(TokenHasher, IsLowercaseHex) {
  const std::string h = TokenHasher(key_of(2)).hash("fth_anything");
  ASSERT_EQ(h.size(), 64u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(TokenHasher, DifferentKeysGiveDifferentHashesAndFingerprints) {
  const TokenHasher a(key_of(1));
  const TokenHasher b(key_of(2));
  EXPECT_NE(a.hash("fth_same"), b.hash("fth_same"));
  EXPECT_NE(a.hash("fth_one"), a.hash("fth_two"));
  EXPECT_NE(a.fingerprint(), b.fingerprint());
  EXPECT_EQ(a.fingerprint(), TokenHasher(key_of(1)).fingerprint());
}

TEST(TokenHasher, FingerprintIsPrefixOfLabelledSha256) {
  const TokenHashKey key = key_of(9);
  std::string message = "fathom-key-fingerprint";
  message.append(reinterpret_cast<const char*>(key.data()), key.size());
  unsigned char digest[32];
  ASSERT_EQ(EVP_Digest(message.data(), message.size(), digest, nullptr, EVP_sha256(), nullptr), 1);
  const std::string fp = TokenHasher(key).fingerprint();
  EXPECT_EQ(fp.size(), 16u);
  EXPECT_EQ(fp, hex(digest, 8));
}

TEST(TokenHasher, IsSafeFromManyThreads) {
  const TokenHashKey key = key_of(3);
  const TokenHasher hasher(key);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 500;
  std::vector<std::string> expected(kPerThread);
  for (int i = 0; i < kPerThread; ++i) {
    expected[i] = reference_hmac(key, "fth_secret_" + std::to_string(i));
  }
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 4; ++round) {
        for (int i = 0; i < kPerThread; ++i) {
          const int j = (i + t * 61) % kPerThread;  // threads hash different secrets at once
          if (hasher.hash("fth_secret_" + std::to_string(j)) != expected[j]) ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << t;
}

// ---- the key file -------------------------------------------------------------------------

class KeyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/fathom-key-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/token-hash.key";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void write_file(const std::string& content, mode_t mode) {
    std::ofstream(path_, std::ios::binary) << content;
    ASSERT_EQ(::chmod(path_.c_str(), mode), 0);
  }
  // The message of the exception load_or_create_key throws, or "" if it does not.
  std::string load_error() {
    try {
      load_or_create_key(path_);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }

  std::string dir_;
  std::string path_;
};

TEST_F(KeyFile, CreatesA32ByteOwnerOnlyKeyAndReadsItBack) {
  const TokenHashKey created = load_or_create_key(path_);
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  EXPECT_EQ(load_or_create_key(path_), created);
  EXPECT_NE(created, TokenHashKey{});
  // No temporary file is left beside it.
  size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_)) ++files;
  EXPECT_EQ(files, 1u);
}

TEST_F(KeyFile, ReadsAnExistingKey) {
  const std::string content(32, 'k');
  write_file(content, 0600);
  const TokenHashKey key = load_or_create_key(path_);
  EXPECT_EQ(std::string(key.begin(), key.end()), content);
  write_file(content, 0400);
  EXPECT_EQ(load_or_create_key(path_), key);
}

TEST_F(KeyFile, RefusesGroupOrOtherAccess) {
  write_file(std::string(32, 'k'), 0644);
  std::string error = load_error();
  EXPECT_NE(error.find(path_), std::string::npos) << error;
  EXPECT_NE(error.find("mode 0644"), std::string::npos) << error;
  EXPECT_NE(error.find("chmod 600"), std::string::npos) << error;
  for (const mode_t mode : {0640, 0604, 0620, 0602, 0610, 0601}) {
    ASSERT_EQ(::chmod(path_.c_str(), mode), 0);
    EXPECT_NE(load_error().find("chmod 600"), std::string::npos) << std::oct << mode;
  }
  // The file was left alone.
  ASSERT_EQ(::chmod(path_.c_str(), 0600), 0);
  EXPECT_EQ(load_error(), "");
}

TEST_F(KeyFile, RefusesWrongSize) {
  for (const size_t size : {0, 31, 33, 64}) {
    write_file(std::string(size, 'k'), 0600);
    const std::string error = load_error();
    EXPECT_NE(error.find(path_), std::string::npos) << error;
    EXPECT_NE(error.find("is " + std::to_string(size) + " bytes, expected 32"), std::string::npos)
        << error;
  }
}

TEST_F(KeyFile, RefusesWhatIsNotARegularFile) {
  ASSERT_EQ(::mkdir(path_.c_str(), 0700), 0);
  const std::string error = load_error();
  EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;
}

TEST_F(KeyFile, ReportsAMissingDirectory) {
  path_ = dir_ + "/missing/token-hash.key";
  const std::string error = load_error();
  EXPECT_NE(error.find(path_), std::string::npos) << error;
}

TEST_F(KeyFile, FollowsSymbolicLinksButNeverCreatesThroughADanglingOne) {
  const std::string target = dir_ + "/real.key";
  std::ofstream(target, std::ios::binary) << std::string(32, 'r');
  ASSERT_EQ(::chmod(target.c_str(), 0600), 0);
  ASSERT_EQ(::symlink(target.c_str(), path_.c_str()), 0);
  const TokenHashKey key = load_or_create_key(path_);
  EXPECT_EQ(std::string(key.begin(), key.end()), std::string(32, 'r'));

  ASSERT_EQ(::unlink(path_.c_str()), 0);
  ASSERT_EQ(::symlink((dir_ + "/missing.key").c_str(), path_.c_str()), 0);
  const std::string error = load_error();
  EXPECT_NE(error.find(path_), std::string::npos) << error;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/missing.key"));
}

TEST_F(KeyFile, InstancesStartingTogetherAgreeOnOneKey) {
  constexpr int kThreads = 6;
  std::vector<TokenHashKey> keys(kThreads);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        keys[t] = load_or_create_key(path_);
      } catch (const std::exception& e) {
        errors[t] = e.what();
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(errors[t], "");
    EXPECT_EQ(keys[t], keys[0]);
  }
  EXPECT_EQ(keys[0], load_or_create_key(path_));
}

}  // namespace
}  // namespace fathom::auth
