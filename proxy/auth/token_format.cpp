#include "auth/token_format.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "auth/crc32.h"

namespace fathom::auth {
namespace {

constexpr uint8_t kNotBase62 = 0xFF;

// Character -> digit value, or kNotBase62. A table keeps the per-character check branch-free.
constexpr std::array<uint8_t, 256> make_digit_table() {
  std::array<uint8_t, 256> table{};
  for (uint8_t& v : table) v = kNotBase62;
  for (size_t i = 0; i < kBase62Alphabet.size(); ++i) {
    table[static_cast<unsigned char>(kBase62Alphabet[i])] = static_cast<uint8_t>(i);
  }
  return table;
}
constexpr std::array<uint8_t, 256> kDigit = make_digit_table();

static_assert(kBase62Alphabet.size() == 62);
static_assert(kTokenLength == kTokenPrefix.size() + kTokenRandomChars + kTokenChecksumChars);

// The largest multiple of 62 that fits in a byte: bytes below it map uniformly onto the alphabet.
constexpr unsigned kRejectFrom = 62 * 4;  // 248

// Appends `count` uniformly drawn base62 characters to `out`.
void append_random_base62(std::string& out, size_t count) {
  // On average 248/256 of the bytes are kept; the first draw usually suffices.
  std::array<unsigned char, 64> bytes;
  size_t appended = 0;
  while (appended < count) {
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
      OPENSSL_cleanse(bytes.data(), bytes.size());
      throw std::runtime_error("RAND_bytes failed: no secure random bytes available");
    }
    for (const unsigned char b : bytes) {
      if (b >= kRejectFrom) continue;
      out.push_back(kBase62Alphabet[b % 62]);
      if (++appended == count) break;
    }
  }
  // The bytes determine a secret; do not leave them on the stack.
  OPENSSL_cleanse(bytes.data(), bytes.size());
}

std::string generate(std::string_view prefix, size_t random_chars) {
  std::string out;
  out.reserve(prefix.size() + random_chars);
  out.append(prefix);
  append_random_base62(out, random_chars);
  return out;
}

// Prefix and alphabet, without checksum; examines every character (no early exit).
bool well_formed(std::string_view s, std::string_view prefix, size_t random_chars) {
  if (s.size() != prefix.size() + random_chars) return false;
  unsigned bad = 0;
  for (size_t i = 0; i < prefix.size(); ++i) bad |= static_cast<unsigned>(s[i] != prefix[i]);
  for (size_t i = prefix.size(); i < s.size(); ++i) {
    bad |= static_cast<unsigned>(kDigit[static_cast<unsigned char>(s[i])] == kNotBase62);
  }
  return bad == 0;
}

}  // namespace

void encode_token_checksum(std::string_view random_part, char out[kTokenChecksumChars]) {
  uint32_t crc = crc32_ieee(random_part);
  for (size_t i = kTokenChecksumChars; i-- > 0;) {
    out[i] = kBase62Alphabet[crc % 62];
    crc /= 62;
  }
}

std::string generate_token() {
  std::string token = generate(kTokenPrefix, kTokenRandomChars);
  char checksum[kTokenChecksumChars];
  encode_token_checksum(std::string_view(token).substr(kTokenPrefix.size()), checksum);
  token.append(checksum, kTokenChecksumChars);
  return token;
}

bool valid_token_format(std::string_view token) {
  // The length is public; everything after this check is the same work for every input.
  if (token.size() != kTokenLength) return false;
  const bool shape = well_formed(token, kTokenPrefix, kTokenRandomChars + kTokenChecksumChars);
  char expected[kTokenChecksumChars];
  encode_token_checksum(token.substr(kTokenPrefix.size(), kTokenRandomChars), expected);
  unsigned differ = 0;
  const std::string_view given = token.substr(kTokenPrefix.size() + kTokenRandomChars);
  for (size_t i = 0; i < kTokenChecksumChars; ++i) {
    differ |= static_cast<unsigned>(given[i] != expected[i]);
  }
  return shape && differ == 0;
}

std::string generate_token_id() {
  return generate(kTokenIdPrefix, kTokenIdRandomChars);
}

bool valid_token_id(std::string_view id) {
  return well_formed(id, kTokenIdPrefix, kTokenIdRandomChars);
}

std::string generate_pair_code() {
  return generate(kPairCodePrefix, kPairCodeRandomChars);
}

bool valid_pair_code(std::string_view code) {
  return well_formed(code, kPairCodePrefix, kPairCodeRandomChars);
}

std::string generate_pair_code_id() {
  return generate(kPairCodeIdPrefix, kPairCodeIdRandomChars);
}

bool valid_pair_code_id(std::string_view id) {
  return well_formed(id, kPairCodeIdPrefix, kPairCodeIdRandomChars);
}

}  // namespace fathom::auth
