// A parsed head's views point into the evbuffer's memory, which changes as soon as the head is
// drained. The head bytes are copied once into the connection's own buffer and the views moved
// along, so that parsing never has to run twice.
#pragma once

#include <string_view>

#include "http/message.h"

namespace fathom {

// Views outside [from, from + len) (a parser may point an empty path at a constant "/") stay.
struct Rebase {
  const char* from;
  size_t len;
  const char* to;
  void operator()(std::string_view& v) const {
    if (!v.empty() && v.data() >= from && v.data() + v.size() <= from + len) {
      v = std::string_view(to + (v.data() - from), v.size());
    }
  }
};

inline void rebase(http::RequestHead& h, const Rebase& r) {
  r(h.method);
  r(h.target);
  r(h.path);
  r(h.query);
  r(h.host);
  for (http::Header& f : h.headers) {
    r(f.name);
    r(f.value);
  }
}

inline void rebase(http::ResponseHead& h, const Rebase& r) {
  r(h.reason);
  for (http::Header& f : h.headers) {
    r(f.name);
    r(f.value);
  }
}

}  // namespace fathom
