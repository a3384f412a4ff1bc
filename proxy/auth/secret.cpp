#include "auth/secret.h"

#include <openssl/crypto.h>

#include <functional>

namespace fathom::auth {

void cleanse(void* p, size_t n) {
  if (p != nullptr && n > 0) OPENSSL_cleanse(p, n);
}

void cleanse(std::string& s) {
  // resize() makes the bytes between size and capacity part of the string, so that they may be
  // written through data(); they can hold the tail of an earlier, longer value.
  s.resize(s.capacity());
  cleanse(s.data(), s.size());
  s.clear();
}

void cleanse_within(std::string& owner, std::string_view part) {
  if (part.empty()) return;
  // std::less gives a total order on pointers, also for ones into different objects.
  const std::less<const char*> before;
  const char* begin = owner.data();
  const char* end = begin + owner.size();
  if (before(part.data(), begin) || before(end, part.data() + part.size())) return;
  cleanse(owner.data() + (part.data() - begin), part.size());
}

}  // namespace fathom::auth
