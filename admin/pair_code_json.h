// A PairCodeRecord as the API shows it. The code's hash never leaves the store through here; the
// code itself appears only in the answer to POST /v1/pair-codes.
#pragma once

#include <string_view>

#include "fathom/token_store.h"
#include "token_json.h"

namespace fathom::admin {

// {pair_code_id, name, scopes, created_at, created_by, expires_at}, plus cancelled_at once it is
// cancelled; created_by is null for a code made without a token.
Json pair_code_json(const PairCodeRecord& record);

// The answer to a create: {pair_code_id, code, name, scopes, expires_at}.
Json issued_pair_code_json(const PairCodeRecord& record, std::string_view code);

}  // namespace fathom::admin
