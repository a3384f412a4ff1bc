#include "sha256_stream.h"

#include <openssl/evp.h>

#include <new>

namespace fathom::lake {

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) throw std::bad_alloc();
}

Sha256Stream::~Sha256Stream() {
  EVP_MD_CTX_free(ctx_);
}

void Sha256Stream::reset() {
  started_ = false;
}

void Sha256Stream::start_if_needed() {
  if (!started_) EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
  started_ = true;
}

void Sha256Stream::update(const void* data, size_t n) {
  if (n == 0) return;
  start_if_needed();
  EVP_DigestUpdate(ctx_, data, n);
}

std::string Sha256Stream::hex_digest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  start_if_needed();
  EVP_DigestFinal_ex(ctx_, digest, &len);
  started_ = false;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0F]);
  }
  return out;
}

}  // namespace fathom::lake
