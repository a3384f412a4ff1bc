// Wiping secrets from memory once they have served. A raw token or pair code is needed only until
// it is hashed (or, with upstream.forward_authorization, serialized towards the lake); a copy
// left in a freed or reused buffer would otherwise sit in the heap, readable in a core dump or by
// anything that reads the process's memory, long after the request. OPENSSL_cleanse is used
// because a plain memset of memory about to be freed may be removed by the compiler.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace fathom::auth {

// Overwrites `n` bytes at `p` with zeros.
void cleanse(void* p, size_t n);

// Overwrites every byte `s` holds, up to its capacity (earlier, longer contents too), then
// empties it. The allocation is kept, so the string can be reused.
void cleanse(std::string& s);

// Overwrites `part`, a view into `owner`, with zeros; does nothing for a view elsewhere (so a
// stale view can never make it write outside `owner`). `owner` keeps its size.
void cleanse_within(std::string& owner, std::string_view part);

// A std::string that wipes itself when destroyed, assigned over or moved from. For a secret that
// must live a little while (a freshly minted token on its way into a response).
class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string s) : s_(std::move(s)) {}
  ~SecretString() { cleanse(s_); }
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;
  SecretString(SecretString&& other) noexcept : s_(std::move(other.s_)) { cleanse(other.s_); }
  SecretString& operator=(SecretString&& other) noexcept {
    if (this != &other) {
      cleanse(s_);
      s_ = std::move(other.s_);
      cleanse(other.s_);
    }
    return *this;
  }

  std::string_view view() const { return s_; }
  const std::string& str() const { return s_; }
  bool empty() const { return s_.empty(); }

 private:
  std::string s_;
};

}  // namespace fathom::auth
