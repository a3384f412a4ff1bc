#include "auth/token_hasher.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace fathom::auth {
namespace {

constexpr size_t kSha256Block = 64;
constexpr size_t kSha256Digest = 32;
constexpr char kHexDigits[] = "0123456789abcdef";

[[noreturn]] void openssl_failed(const char* what) {
  throw std::runtime_error(std::string("OpenSSL: ") + what + " failed");
}

std::string to_hex(const unsigned char* bytes, size_t n) {
  std::string out(2 * n, '\0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHexDigits[bytes[i] >> 4];
    out[2 * i + 1] = kHexDigits[bytes[i] & 0x0F];
  }
  return out;
}

// One context per thread, reused for every call: copying a prepared state into it is all the
// per-call setup. Freed when the thread exits.
struct ThreadContext {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~ThreadContext() { EVP_MD_CTX_free(ctx); }
};

EVP_MD_CTX* thread_context() {
  thread_local ThreadContext local;
  if (local.ctx == nullptr) openssl_failed("EVP_MD_CTX_new");
  return local.ctx;
}

// A SHA-256 state that has absorbed one padded key block.
EVP_MD_CTX* prepared_state(const EVP_MD* sha256, const unsigned char* block) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) openssl_failed("EVP_MD_CTX_new");
  if (EVP_DigestInit_ex(ctx, sha256, nullptr) != 1 ||
      EVP_DigestUpdate(ctx, block, kSha256Block) != 1) {
    EVP_MD_CTX_free(ctx);
    openssl_failed("SHA-256 init");
  }
  return ctx;
}

std::string key_fingerprint(const EVP_MD* sha256, const TokenHashKey& key) {
  static constexpr std::string_view kLabel = "fathom-key-fingerprint";
  unsigned char message[kLabel.size() + kTokenHashKeyBytes];
  std::memcpy(message, kLabel.data(), kLabel.size());
  std::memcpy(message + kLabel.size(), key.data(), key.size());
  unsigned char digest[kSha256Digest];
  const int ok = EVP_Digest(message, sizeof message, digest, nullptr, sha256, nullptr);
  OPENSSL_cleanse(message, sizeof message);
  if (ok != 1) openssl_failed("SHA-256");
  return to_hex(digest, 8);
}

}  // namespace

TokenHasher::TokenHasher(const TokenHashKey& key) {
  const EVP_MD* sha256 = EVP_sha256();
  // RFC 2104: a key shorter than the block is zero-padded, then xored with 0x36 / 0x5c.
  unsigned char ipad[kSha256Block];
  unsigned char opad[kSha256Block];
  for (size_t i = 0; i < kSha256Block; ++i) {
    const unsigned char k = i < key.size() ? key[i] : 0;
    ipad[i] = k ^ 0x36;
    opad[i] = k ^ 0x5c;
  }
  try {
    inner_ = prepared_state(sha256, ipad);
    outer_ = prepared_state(sha256, opad);
    fingerprint_ = key_fingerprint(sha256, key);
  } catch (...) {
    OPENSSL_cleanse(ipad, sizeof ipad);
    OPENSSL_cleanse(opad, sizeof opad);
    EVP_MD_CTX_free(inner_);
    EVP_MD_CTX_free(outer_);
    throw;
  }
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
}

TokenHasher::~TokenHasher() {
  EVP_MD_CTX_free(inner_);
  EVP_MD_CTX_free(outer_);
}

std::string TokenHasher::hash(std::string_view secret) const {
  EVP_MD_CTX* ctx = thread_context();
  unsigned char digest[kSha256Digest];
  unsigned int length = 0;
  // inner = SHA-256((key ^ ipad) || secret); result = SHA-256((key ^ opad) || inner)
  if (EVP_MD_CTX_copy_ex(ctx, inner_) != 1 ||
      EVP_DigestUpdate(ctx, secret.data(), secret.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, digest, &length) != 1 || length != kSha256Digest ||
      EVP_MD_CTX_copy_ex(ctx, outer_) != 1 || EVP_DigestUpdate(ctx, digest, length) != 1 ||
      EVP_DigestFinal_ex(ctx, digest, &length) != 1 || length != kSha256Digest) {
    openssl_failed("HMAC-SHA-256");
  }
  return to_hex(digest, kSha256Digest);
}

// ---------------------------------------------------------------------------------------------
// The key file

namespace {

[[noreturn]] void key_error(const std::string& path, const std::string& problem) {
  throw std::runtime_error(path + ": " + problem);
}

[[noreturn]] void key_errno(const std::string& path, const char* action, int error) {
  key_error(path, std::string(action) + ": " + std::strerror(error));
}

// Closes on every path out, so that a throw never leaks the descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // close() reports deferred write errors on some filesystems; the creator must see them.
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

std::string directory_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool write_all(int fd, const unsigned char* data, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Reads exactly n bytes; false on error or early end of file.
bool read_all(int fd, unsigned char* data, size_t n) {
  while (n > 0) {
    const ssize_t r = ::read(fd, data, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    data += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

void fsync_directory(const std::string& path) {
  const std::string dir = directory_of(path);
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) key_errno(path, ("cannot open directory " + dir).c_str(), errno);
  if (::fsync(fd.get()) != 0) key_errno(path, ("cannot fsync directory " + dir).c_str(), errno);
}

std::string mode_string(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0%03o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Checks and reads the key through `fd_raw`, an open descriptor of `path` (taken over).
TokenHashKey read_key(const std::string& path, int fd_raw) {
  Fd fd(fd_raw);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) key_errno(path, "cannot stat", errno);
  if (!S_ISREG(st.st_mode)) key_error(path, "is not a regular file");
  if ((st.st_mode & 0077) != 0) {
    const char* what = (st.st_mode & 0044) != 0 ? "is readable by group or others"
                                                : "gives access to group or others";
    key_error(path, "mode " + mode_string(st.st_mode) + " " + what + "; chmod 600 it");
  }
  if (st.st_size != static_cast<off_t>(kTokenHashKeyBytes)) {
    key_error(path, "is " + std::to_string(st.st_size) + " bytes, expected " +
                        std::to_string(kTokenHashKeyBytes));
  }
  TokenHashKey key{};
  if (!read_all(fd.get(), key.data(), key.size())) {
    OPENSSL_cleanse(key.data(), key.size());
    key_error(path, "cannot read 32 bytes");
  }
  return key;
}

// Writes a new key to a temporary file and links it to `path`. Returns false if `path` appeared
// meanwhile (another instance created it): the caller then reads that one.
bool create_key(const std::string& path, TokenHashKey& key) {
  unsigned char suffix_bytes[8];
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1 ||
      RAND_bytes(suffix_bytes, sizeof suffix_bytes) != 1) {
    key_error(path, "RAND_bytes failed: no secure random bytes to create a key");
  }
  const std::string temp = path + ".tmp-" + to_hex(suffix_bytes, sizeof suffix_bytes);
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) key_errno(path, ("cannot create " + temp).c_str(), errno);
  const auto fail = [&](const char* action, int error) {
    ::unlink(temp.c_str());
    OPENSSL_cleanse(key.data(), key.size());
    key_errno(path, action, error);
  };
  if (!write_all(fd.get(), key.data(), key.size())) fail("cannot write the new key", errno);
  if (::fsync(fd.get()) != 0) fail("cannot fsync the new key", errno);
  if (fd.close() != 0) fail("cannot close the new key", errno);
  const int linked = ::link(temp.c_str(), path.c_str());
  const int link_error = errno;
  ::unlink(temp.c_str());
  if (linked != 0) {
    OPENSSL_cleanse(key.data(), key.size());
    if (link_error == EEXIST) return false;
    key_errno(path, "cannot create", link_error);
  }
  fsync_directory(path);
  return true;
}

}  // namespace

TokenHashKey load_or_create_key(const std::string& path) {
  // Two rounds at most: a missing file is created, unless another process creates it first.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd >= 0) return read_key(path, fd);
    if (errno != ENOENT) key_errno(path, "cannot open", errno);
    TokenHashKey key{};
    if (create_key(path, key)) return key;
  }
  // open() says missing, link() says present: a symbolic link to a missing file, most likely.
  key_error(path, "exists but cannot be opened (a dangling symbolic link?)");
}

}  // namespace fathom::auth
