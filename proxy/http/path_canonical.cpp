#include "http/path_canonical.h"

#include "http/chars.h"

namespace fathom::http {
namespace {

// RFC 3986 section 2.3: ALPHA / DIGIT / "-" / "." / "_" / "~". Escaped, they mean the same as
// the character itself (section 6.2.2.2), so they are decoded.
bool is_unreserved(int c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// The byte escaped at s[i] == '%', or -1 if two hex digits do not follow.
int escaped_at(std::string_view s, size_t i) {
  if (s.size() - i < 3) return -1;
  const int hi = chars::hex_value(s[i + 1]);
  const int lo = chars::hex_value(s[i + 2]);
  return (hi < 0 || lo < 0) ? -1 : hi * 16 + lo;
}

// An escape that canonicalization rewrites: an unreserved character, or lower-case hex.
bool escape_changes(std::string_view s, size_t i, int byte) {
  if (is_unreserved(byte)) return true;
  return (s[i + 1] >= 'a' && s[i + 1] <= 'f') || (s[i + 2] >= 'a' && s[i + 2] <= 'f');
}

constexpr char kUpperHex[] = "0123456789ABCDEF";

}  // namespace

bool canonicalize_path(std::string_view path, std::string& out) {
  size_t first = 0;  // the first escape to rewrite, if any
  for (; first < path.size(); ++first) {
    if (path[first] != '%') continue;
    const int byte = escaped_at(path, first);
    if (byte >= 0 && escape_changes(path, first, byte)) break;
  }
  if (first == path.size()) return true;
  out.assign(path.substr(0, first));
  for (size_t i = first; i < path.size(); ++i) {
    const int byte = path[i] == '%' ? escaped_at(path, i) : -1;
    if (byte < 0) {
      out += path[i];
      continue;
    }
    if (is_unreserved(byte)) {
      out += static_cast<char>(byte);
    } else {
      out += '%';
      out += kUpperHex[byte >> 4];
      out += kUpperHex[byte & 15];
    }
    i += 2;
  }
  return false;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const int byte = s[i] == '%' ? escaped_at(s, i) : -1;
    if (byte < 0) {
      out += s[i];
    } else {
      out += static_cast<char>(byte);
      i += 2;
    }
  }
  return out;
}

}  // namespace fathom::http
