#include "audit/audit_cursor.h"

#include <charconv>
#include <cstdio>

#include "audit/stored_line.h"

namespace fathom::audit {
namespace {

constexpr size_t kSeqDigits = 16;
constexpr size_t kCheckDigits = 8;

std::string check_of(std::string_view seq_digits) {
  std::string labelled = "fathom-audit-cursor/";
  labelled += seq_digits;
  return sha256_hex(labelled).substr(0, kCheckDigits);
}

}  // namespace

std::string encode_cursor(uint64_t seq) {
  char digits[kSeqDigits + 1];
  std::snprintf(digits, sizeof digits, "%016llx", static_cast<unsigned long long>(seq));
  return "c" + std::string(digits, kSeqDigits) + check_of({digits, kSeqDigits});
}

std::optional<uint64_t> decode_cursor(std::string_view cursor) {
  if (cursor.size() != 1 + kSeqDigits + kCheckDigits || cursor[0] != 'c') return std::nullopt;
  const std::string_view digits = cursor.substr(1, kSeqDigits);
  for (char c : digits) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  if (cursor.substr(1 + kSeqDigits) != check_of(digits)) return std::nullopt;
  uint64_t seq = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), seq, 16);
  if (seq == 0) return std::nullopt;
  return seq;
}

}  // namespace fathom::audit
