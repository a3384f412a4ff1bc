#include "http/target.h"

#include "http/chars.h"
#include "http/message.h"

namespace fathom::http {
namespace {

// The upstream may decode these and then split or resolve the path differently from the scope
// policies, which compare the raw bytes.
bool is_confusing_escape(int byte) {
  return byte == '.' || byte == '/' || byte == '\\';
}

// Reads the escape at s[i] == '%'; -1 if it is not followed by two hex digits.
int escaped_byte(std::string_view s, size_t i) {
  if (s.size() - i < 3) return -1;
  const int hi = chars::hex_value(s[i + 1]);
  const int lo = chars::hex_value(s[i + 2]);
  return (hi < 0 || lo < 0) ? -1 : hi * 16 + lo;
}

bool is_dot_segment(std::string_view seg) {
  return seg == "." || seg == "..";
}

// "." and ".." are resolved by URL libraries; a trailing dot is trimmed by Windows file APIs and
// some routers ("internal." reaches "internal").
Refusal check_segment(std::string_view seg) {
  if (is_dot_segment(seg)) return Refusal::target_dot_segment;
  if (!seg.empty() && seg.back() == '.') return Refusal::target_trailing_dot;
  return Refusal::none;
}

bool valid_ipv4(std::string_view s) {
  int octets = 0;
  size_t i = 0;
  while (true) {
    size_t j = i;
    int value = 0;
    while (j < s.size() && j - i < 4 && chars::is(s[j], chars::kDigit))
      value = value * 10 + (s[j++] - '0');
    const size_t len = j - i;
    if (len == 0 || len > 3 || value > 255 || (len > 1 && s[i] == '0')) return false;
    ++octets;
    if (j == s.size()) return octets == 4;
    if (s[j] != '.' || octets == 4) return false;
    i = j + 1;
  }
}

// RFC 3986 IPv6address: eight 16-bit pieces, or fewer around one "::", the last two of which may
// be written as an IPv4 address.
bool valid_ipv6(std::string_view s) {
  int pieces = 0;
  bool elided = false;
  size_t i = 0;
  if (s.substr(0, 2) == "::") {
    elided = true;
    i = 2;
  }
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && j - i < 5 && chars::is(s[j], chars::kHex)) ++j;
    if (j < s.size() && s[j] == '.') {
      if (!valid_ipv4(s.substr(i))) return false;
      pieces += 2;
      break;
    }
    if (j == i || j - i > 4) return false;
    ++pieces;
    i = j;
    if (i == s.size()) break;
    if (s[i] != ':') return false;
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (elided) return false;
      elided = true;
      ++i;
    } else if (i == s.size()) {
      return false;
    }
  }
  return elided ? pieces < 8 : pieces == 8;
}

bool valid_port(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  uint32_t value = 0;
  for (char c : port) {
    if (!chars::is(c, chars::kDigit)) return false;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  return value <= 65535;
}

// Returns the size of "http://" or "https://" at the start of `t`, or 0.
size_t scheme_prefix(std::string_view t) {
  if (t.size() >= 7 && iequals(t.substr(0, 7), "http://")) return 7;
  if (t.size() >= 8 && iequals(t.substr(0, 8), "https://")) return 8;
  return 0;
}

}  // namespace

bool valid_authority(std::string_view authority) {
  std::string_view rest;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos || !valid_ipv6(authority.substr(1, close - 1))) {
      return false;
    }
    rest = authority.substr(close + 1);
  } else {
    const size_t colon = authority.find(':');
    const std::string_view host = authority.substr(0, colon);
    if (host.empty() || host.size() > 255) return false;
    for (char c : host) {
      if (!chars::is(c, chars::kHostChar)) return false;
    }
    if (colon != std::string_view::npos) rest = authority.substr(colon);
  }
  if (rest.empty()) return true;
  return rest[0] == ':' && valid_port(rest.substr(1));
}

// Only the path is checked for confusing escapes and dot segments: the query is neither resolved
// nor matched by the scope policies, and escaped slashes are common in it (redirect URLs, object
// keys). A NUL or a backslash is refused anywhere, as upstreams may cut or convert at either.
Refusal parse_target(std::string_view t, Target& out) {
  out = Target{};
  if (t.empty()) return Refusal::bad_target;
  size_t i = 0;
  if (t[0] != '/') {
    const size_t scheme = scheme_prefix(t);
    if (scheme == 0) return Refusal::bad_target;
    size_t end = scheme;
    while (end < t.size() && t[end] != '/' && t[end] != '?' && t[end] != '#') ++end;
    out.authority = t.substr(scheme, end - scheme);
    if (!valid_authority(out.authority)) return Refusal::bad_target;
    out.absolute_form = true;
    i = end;
  }
  const size_t path_begin = i;
  // URL libraries read "//x" as a network-path reference with authority "x", so an upstream may
  // see another path than the scope policies.
  if (t.substr(i, 2) == "//") return Refusal::bad_target;
  size_t segment = i + 1;
  for (; i < t.size() && t[i] != '?'; ++i) {
    const char c = t[i];
    if (c == '/') {
      if (i > path_begin) {
        if (const Refusal r = check_segment(t.substr(segment, i - segment)); r != Refusal::none) {
          return r;
        }
        // Upstreams that merge slashes would see another path than the policies.
        if (i == segment) return Refusal::target_empty_segment;
      }
      segment = i + 1;
    } else if (c == ';') {
      // Servlet containers and others drop ";params" from a segment before routing.
      return Refusal::target_semicolon;
    } else if (c == '%') {
      const int byte = escaped_byte(t, i);
      if (byte < 0) return Refusal::bad_target;
      if (byte == 0 || is_confusing_escape(byte)) return Refusal::target_encoded_char;
      i += 2;
    } else if (!chars::is(c, chars::kPathChar)) {
      if (c == '#') return Refusal::target_fragment;
      if (c == '\\') return Refusal::target_encoded_char;
      return Refusal::bad_target;
    }
  }
  if (i > path_begin) {
    if (const Refusal r = check_segment(t.substr(segment, i - segment)); r != Refusal::none) {
      return r;
    }
  }
  // An absolute-form target may omit the path: it then means "/" (RFC 9112 section 3.2.2).
  out.path = i > path_begin ? t.substr(path_begin, i - path_begin) : std::string_view("/");
  if (i == t.size()) return Refusal::none;
  const size_t query_begin = ++i;
  for (; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '%') {
      const int byte = escaped_byte(t, i);
      if (byte < 0) return Refusal::bad_target;
      if (byte == 0) return Refusal::target_encoded_char;
      i += 2;
    } else if (!chars::is(c, chars::kQueryChar)) {
      if (c == '#') return Refusal::target_fragment;
      if (c == '\\') return Refusal::target_encoded_char;
      return Refusal::bad_target;
    }
  }
  out.query = t.substr(query_begin);
  return Refusal::none;
}

}  // namespace fathom::http
