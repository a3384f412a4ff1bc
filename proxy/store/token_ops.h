// The rules of each write, applied to the index by the writer thread while it holds the index's
// write lock, so a check and its change are one step with respect to every other write.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fathom/token_store.h"
#include "store/pair_code_index.h"
#include "store/token_index.h"

namespace fathom::store {

struct Applied {
  StoreResult result;
  // To journal, together in one record; both empty when refused or a no-op.
  std::vector<TokenRecord> puts;
  std::vector<PairCodeRecord> pair_code_puts;
  std::vector<Invalidation> invalidated;  // tokens that stopped being valid
};

// Why `record` cannot be added as a new token (id or hash taken, or missing); empty if it can.
std::string new_token_problem(const TokenIndex& index, const TokenRecord& record);

Applied apply_create(TokenIndex& index, TokenRecord record);
// Idempotent; refuses to revoke the last lasting admin token. Cancels the token's pending pair
// codes in the same Applied, so the journal holds the revocation and the cancellations as one
// record.
Applied apply_revoke(TokenIndex& index, PairCodeIndex& codes, std::string_view token_id,
                     UnixTime now);
// `replacement.created_at` is taken as the time of the rotation (the interface passes no `now`).
Applied apply_rotate(TokenIndex& index, std::string_view token_id, TokenRecord replacement,
                     std::optional<UnixTime> old_expires_at);
// Sets expires_at = now. Idempotent for a token that is no longer active; refuses the last
// lasting admin token and cancels the token's pending pair codes, as revoke does.
Applied apply_expire(TokenIndex& index, PairCodeIndex& codes, std::string_view token_id,
                     UnixTime now);

}  // namespace fathom::store
