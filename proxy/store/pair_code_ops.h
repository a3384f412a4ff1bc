// The rules of the pair code writes, applied by the writer thread under the index's write lock
// (see token_ops.h): a redeem's check, the used code and the new token are one step.
#pragma once

#include <string_view>
#include <vector>

#include "fathom/token_store.h"
#include "store/pair_code_index.h"
#include "store/token_index.h"
#include "store/token_ops.h"

namespace fathom::store {

// conflict when the id or hash is missing or already taken.
Applied apply_create_pair_code(PairCodeIndex& codes, PairCodeRecord code);
// not_found unless the code is pending at `now`.
Applied apply_cancel_pair_code(PairCodeIndex& codes, std::string_view pair_code_id, UnixTime now);
// Marks cancelled at `now` every code `creator` made that is pending then; returns them. A scan of
// every code kept: finished codes are dropped by compaction, so the index stays small.
std::vector<PairCodeRecord> cancel_pending_codes_of(PairCodeIndex& codes, std::string_view creator,
                                                    UnixTime now);
// True if the creator of `code` is an active token at `now` that holds every scope of the code:
// a code is worth no more than its creator is now.
bool creator_still_grants(const TokenIndex& tokens, const PairCodeRecord& code, UnixTime now);
// invalid_grant unless a code with `code_hash` is pending at token.created_at and its creator
// still grants it (creator_still_grants); then the code is marked redeemed and the token created
// with the code's name, scopes and creator. Both records land in Applied together, to be
// journaled as one record.
Applied apply_redeem_pair_code(TokenIndex& tokens, PairCodeIndex& codes, std::string_view code_hash,
                               TokenRecord token);

}  // namespace fathom::store
