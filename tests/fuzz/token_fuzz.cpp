// Feeds arbitrary bytes to the token, token id and pair code checks. None may crash, and each
// answer is compared with a slow, independent reading of the format written here from the spec
// (bitwise CRC-32, base62 digits decoded to a number): any disagreement, either way, traps.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/token_format.h"

namespace {

using namespace fathom::auth;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  if (c >= 'a' && c <= 'z') return c - 'a' + 36;
  return -1;
}

bool all_base62(std::string_view s) {
  for (const char c : s) {
    if (digit_value(c) < 0) return false;
  }
  return true;
}

// zlib's CRC-32, one bit at a time: shares nothing with the table-driven version under test.
uint32_t slow_crc32(std::string_view s) {
  uint32_t crc = 0xFFFFFFFFu;
  for (const char c : s) {
    crc ^= static_cast<unsigned char>(c);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

bool slow_valid_token(std::string_view s) {
  if (s.size() != 42 || s.substr(0, 4) != "fth_" || !all_base62(s.substr(4))) return false;
  uint64_t checksum = 0;
  for (const char c : s.substr(36))
    checksum = checksum * 62 + static_cast<uint64_t>(digit_value(c));
  return checksum == slow_crc32(s.substr(4, 32));
}

bool slow_valid(std::string_view s, std::string_view prefix, size_t random_chars) {
  return s.size() == prefix.size() + random_chars && s.substr(0, prefix.size()) == prefix &&
         all_base62(s.substr(prefix.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check(valid_token_format(in) == slow_valid_token(in));
  check(valid_token_id(in) == slow_valid(in, "tok_", 16));
  check(valid_pair_code(in) == slow_valid(in, "pair_", 24));
  check(valid_pair_code_id(in) == slow_valid(in, "pc_", 16));

  // Random-looking inputs almost never carry the right checksum, so also try the input with its
  // checksum repaired: the fuzzer then explores tokens that pass, and near misses of them.
  if (in.size() >= 36) {
    std::string token = "fth_" + std::string(in.substr(in.size() - 32));
    char sum[kTokenChecksumChars];
    encode_token_checksum(std::string_view(token).substr(4), sum);
    token.append(sum, kTokenChecksumChars);
    check(valid_token_format(token) == all_base62(token.substr(4, 32)));
    check(valid_token_format(token) == slow_valid_token(token));
  }
  return 0;
}
