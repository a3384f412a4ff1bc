// What clients send to the pair-code routes, checked before anything touches the store. Refusals
// are 400 invalid_request messages starting with the field, as for the token routes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "token_requests.h"

namespace fathom::admin {

inline constexpr int64_t kMinPairCodeTtl = 60;
inline constexpr int64_t kMaxPairCodeTtl = 86400;
inline constexpr int64_t kDefaultPairCodeTtl = 600;

// POST /v1/pair-codes: {"name", "scopes", "ttl_seconds"?}; name and scopes as for a mint.
struct PairCodeRequest {
  std::string name;
  std::vector<std::string> scopes;
  int64_t ttl_seconds = kDefaultPairCodeTtl;
};
Parsed<PairCodeRequest> parse_pair_code_request(std::string_view body);

// POST /v1/pair: {"code"}. Only the shape of the body is checked here; whether the code looks
// like a pair code is is_pair_code's job, and its answer is invalid_grant, not invalid_request.
// The message never repeats the code.
Parsed<std::string> parse_redeem_request(std::string_view body);

// "pair_" + 24 base62 characters.
bool is_pair_code(std::string_view code);
// "pc_" and 1 to 64 ASCII letters and digits (new ids have 16), like is_token_id.
bool is_pair_code_id(std::string_view id);

}  // namespace fathom::admin
