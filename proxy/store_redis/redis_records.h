// Tokens and pair codes as the JSON strings kept under <prefix>token:<id> and
// <prefix>paircode:<id>. The Lua scripts rewrite them with Redis's cjson, so the decoder takes
// what cjson writes as well as what encode_* writes: an empty list comes back as {} and a number
// may carry a fraction part of .0.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fathom/token_store.h"

namespace fathom::store_redis {

// A value under one of our keys that is not a record: the message names the field.
class RecordError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string encode_token(const TokenRecord& token);
std::string encode_pair_code(const PairCodeRecord& code);
// Throw RecordError.
TokenRecord decode_token(std::string_view json);
PairCodeRecord decode_pair_code(std::string_view json);
// Codes one a line, as the revoke and expire scripts list the codes they cancelled; "" is none.
std::vector<PairCodeRecord> decode_pair_code_lines(std::string_view lines);

}  // namespace fathom::store_redis
