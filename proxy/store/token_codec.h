// The JSON payloads of journal and snapshot records:
//   {"op":"header","version":1,"key_fingerprint":"…"}   first record of every file
//   {"op":"put","token":{…}}                            one record, the state after a change
//   {"op":"put","tokens":[{…},…]}                       several, applied together (rotate)
//   {"op":"put","pair_codes":[{…}]}                     a pair code created or cancelled
//   {"op":"put","tokens":[{…}],"pair_codes":[{…}]}      a redeem: the token and the used code,
//                                                       in one record so neither exists alone
//   {"op":"reset"}                                      journal only: forget everything replayed
//                                                       so far (restore; see backup.h)
//   {"op":"end","tokens":N,"pair_codes":M}              last record of a snapshot
// A put carries the whole record, so replaying a put twice is harmless; compaction relies on it.
// Pair codes, reset and the end record's "pair_codes" came later without a version bump: every
// older file still reads (an absent "pair_codes" is none), and an older fathom-auth refuses a
// newer file naming the record it does not know.
#pragma once

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fathom/token_store.h"

namespace fathom::store {

inline constexpr int kFormatVersion = 1;

// A payload that parsed but makes no sense; the message says what is wrong, without offsets.
class CodecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string header_payload(std::string_view key_fingerprint);
std::string put_payload(const TokenRecord& token);
std::string put_payload(std::span<const TokenRecord> tokens);
std::string put_payload(const PairCodeRecord& code);
// Either span may be empty, not both.
std::string put_payload(std::span<const TokenRecord> tokens,
                        std::span<const PairCodeRecord> pair_codes);
std::string reset_payload();
std::string end_payload(size_t token_count, size_t pair_code_count = 0);

struct DecodedOp {
  enum class Kind { header, put, reset, end };
  Kind kind = Kind::put;
  int version = 0;                         // header
  std::string key_fingerprint;             // header
  std::vector<TokenRecord> tokens;         // put
  std::vector<PairCodeRecord> pair_codes;  // put
  size_t token_count = 0;                  // end
  size_t pair_code_count = 0;              // end
};

// Throws CodecError.
DecodedOp decode_op(std::string_view payload);

}  // namespace fathom::store
