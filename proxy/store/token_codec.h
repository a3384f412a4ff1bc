// The JSON payloads of journal and snapshot records:
//   {"op":"header","version":1,"key_fingerprint":"…"}   first record of every file
//   {"op":"put","token":{…}}                            one record, the state after a change
//   {"op":"put","tokens":[{…},…]}                       several, applied together (rotate)
//   {"op":"end","tokens":N}                             last record of a snapshot
// A put carries the whole record, so replaying a put twice is harmless; compaction relies on it.
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
std::string end_payload(size_t token_count);

struct DecodedOp {
  enum class Kind { header, put, end };
  Kind kind = Kind::put;
  int version = 0;                  // header
  std::string key_fingerprint;      // header
  std::vector<TokenRecord> tokens;  // put
  size_t token_count = 0;           // end
};

// Throws CodecError.
DecodedOp decode_op(std::string_view payload);

}  // namespace fathom::store
