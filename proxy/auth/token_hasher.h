// Turning a secret (token or pair code) into the only form the store ever keeps: lowercase hex
// HMAC-SHA-256 under a server key. A keyed hash rather than a bare SHA-256 means a copy of the
// store alone (a backup, a Redis dump) does not let anyone test guessed secrets offline.
//
// hash() runs on every request that reaches the validation cache, from every worker thread, so
// the key-dependent half of HMAC is done once: the constructor hashes the ipad and opad blocks
// and keeps the two SHA-256 states; a call copies them into a per-thread EVP_MD_CTX, feeds the
// secret and the inner digest, and finishes. No OpenSSL object is created per call. (OpenSSL 3.0
// still duplicates the provider's small digest state inside EVP_MD_CTX_copy_ex; that is the
// floor without the deprecated SHA256_* functions.)
//
// The key file lives beside the store. Losing it makes every stored hash useless (all tokens
// stop working), and a different key makes them all unknown, so stores record fingerprint() and
// an instance started with another key refuses to start rather than answer 401 to everyone.
#pragma once

#include <array>
#include <string>
#include <string_view>

// From <openssl/types.h>; declared here so that users of this header need not include OpenSSL.
struct evp_md_ctx_st;

namespace fathom::auth {

inline constexpr size_t kTokenHashKeyBytes = 32;
using TokenHashKey = std::array<unsigned char, kTokenHashKeyBytes>;

class TokenHasher {
 public:
  // Throws std::runtime_error if OpenSSL cannot set up SHA-256.
  explicit TokenHasher(const TokenHashKey& key);
  ~TokenHasher();
  TokenHasher(const TokenHasher&) = delete;
  TokenHasher& operator=(const TokenHasher&) = delete;

  // Lowercase hex HMAC-SHA-256(key, secret): 64 characters. Safe to call from many threads at
  // once. Throws std::runtime_error only if OpenSSL itself fails (out of memory).
  std::string hash(std::string_view secret) const;

  // First 16 hex characters of SHA-256("fathom-key-fingerprint" || key). Identifies the key
  // without revealing it; a different prefix keeps it unrelated to any HMAC the key produces.
  std::string fingerprint() const { return fingerprint_; }

 private:
  // SHA-256 states after absorbing (key ^ ipad) and (key ^ opad); never modified after the
  // constructor, only copied from, which OpenSSL allows concurrently.
  evp_md_ctx_st* inner_ = nullptr;
  evp_md_ctx_st* outer_ = nullptr;
  std::string fingerprint_;
};

// Reads the 32-byte key at `path`, creating it first when the file does not exist.
//
// Creating: 32 bytes from RAND_bytes are written to a new temporary file in the same directory
// (O_CREAT|O_EXCL, mode 0600), fsynced, then linked to `path`, and the directory is fsynced. The
// link either creates `path` or fails because it exists, so two instances starting at once, or a
// crash half-way, never leave a short key behind: the loser of a race reads the winner's key.
//
// Reading: `path` (symlinks are followed) must be a regular file of exactly 32 bytes whose mode
// gives nothing to group or others. Anything else throws std::runtime_error naming the path and
// the problem, e.g. "/var/lib/fathom/token-hash.key: mode 0644 is readable by group or others;
// chmod 600 it". A key is never silently replaced: that would invalidate every token.
TokenHashKey load_or_create_key(const std::string& path);

}  // namespace fathom::auth
