// Incremental SHA-256 (OpenSSL EVP) so that request bodies are hashed as they stream past and
// never held whole.
#pragma once

#include <cstddef>
#include <string>

struct evp_md_ctx_st;

namespace fathom::lake {

class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void reset();
  void update(const void* data, size_t n);
  // Lowercase hex of the digest of everything since the last reset(); starts afresh after.
  std::string hex_digest();

 private:
  // Initialised on first use: most requests have no body, and EVP_DigestInit_ex is not free.
  void start_if_needed();

  evp_md_ctx_st* ctx_;
  bool started_ = false;
};

}  // namespace fathom::lake
