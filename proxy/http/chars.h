// Character classes of RFC 9110 and RFC 3986 as one 256-entry table, so that every byte test on
// the hot path is a load and a mask instead of a chain of comparisons.
#pragma once

#include <array>
#include <cstdint>

namespace fathom::http::chars {

enum : uint16_t {
  kTchar = 1 << 0,      // token characters (RFC 9110 section 5.6.2)
  kFieldChar = 1 << 1,  // field-value octets: VCHAR, obs-text, SP, HTAB
  kHex = 1 << 2,
  kDigit = 1 << 3,
  kPathChar = 1 << 4,    // pchar and '/', without '%' (escapes are checked apart)
  kQueryChar = 1 << 5,   // kPathChar plus '?'
  kHostChar = 1 << 6,    // what a DNS name or IPv4 address is written with
  kQdtext = 1 << 7,      // quoted-string text, without '"' and '\'
  kWhitespace = 1 << 8,  // SP and HTAB (OWS, BWS)
};

constexpr bool in(const char* set, int c) {
  for (const char* p = set; *p; ++p) {
    if (*p == c) return true;
  }
  return false;
}

constexpr std::array<uint16_t, 256> make_table() {
  std::array<uint16_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    const bool vchar = c >= 0x21 && c <= 0x7e;
    const bool unreserved = alpha || digit || in("-._~", c);
    const bool sub_delim = in("!$&'()*+,;=", c);
    uint16_t f = 0;
    if (alpha || digit || in("!#$%&'*+-.^_`|~", c)) f |= kTchar;
    if (vchar || c >= 0x80 || c == ' ' || c == '\t') f |= kFieldChar;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) f |= kHex;
    if (digit) f |= kDigit;
    if (unreserved || sub_delim || in(":@/", c)) f |= kPathChar | kQueryChar;
    if (c == '?') f |= kQueryChar;
    if (alpha || digit || in("-._", c)) f |= kHostChar;
    if (c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) ||
        (c >= 0x5d && c <= 0x7e) || c >= 0x80) {
      f |= kQdtext;
    }
    if (c == ' ' || c == '\t') f |= kWhitespace;
    t[static_cast<size_t>(c)] = f;
  }
  return t;
}

inline constexpr std::array<uint16_t, 256> kTable = make_table();

inline bool is(char c, uint16_t cls) {
  return (kTable[static_cast<unsigned char>(c)] & cls) != 0;
}

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

}  // namespace fathom::http::chars
