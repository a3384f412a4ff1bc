// Incremental SHA-256, to check a streamed body against the lake's body_sha256 without keeping it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace fathom::test {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view data);
  std::string hex_digest();  // lowercase hex; ends the computation

 private:
  evp_md_ctx_st* ctx_;
};

std::string sha256_hex(std::string_view data);

}  // namespace fathom::test
