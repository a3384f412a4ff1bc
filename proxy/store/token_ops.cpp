#include "store/token_ops.h"

#include <algorithm>

#include "store/pair_code_ops.h"

namespace fathom::store {
namespace {

Applied refuse(StoreStatus status, std::string message) {
  Applied a;
  a.result.status = status;
  a.result.message = std::move(message);
  return a;
}

// The optionals are built in place: GCC 12 warns (falsely) when an empty one is assigned.
Applied accepted(TokenRecord token, std::optional<TokenRecord> created = std::nullopt) {
  return Applied{
      StoreResult{StoreStatus::ok, {}, std::move(token), std::move(created), std::nullopt, {}},
      {},
      {},
      {}};
}

std::string last_admin_message(std::string_view token_id) {
  return "token " + std::string(token_id) +
         " is the last lasting admin token; mint another admin token without an expiry (or one "
         "more than 24 hours away) first";
}

// The token ends: its pending codes end with it, in the same Applied (and so the same record).
void end_token(PairCodeIndex& codes, TokenRecord updated, Applied& a, UnixTime now) {
  a.invalidated.push_back({updated.secret_hash, updated.token_id});
  a.result.cancelled_pair_codes = cancel_pending_codes_of(codes, updated.token_id, now);
  a.pair_code_puts = a.result.cancelled_pair_codes;
  a.puts.push_back(std::move(updated));
}

}  // namespace

// Shared by create, rotate and redeem.
std::string new_token_problem(const TokenIndex& index, const TokenRecord& record) {
  if (record.token_id.empty()) return "the new token has no token_id";
  if (record.secret_hash.empty()) return "the new token has no secret_hash";
  if (index.by_id(record.token_id)) return "token id " + record.token_id + " already exists";
  // The hash itself is not secret, but there is no reason to repeat it in logs.
  if (index.by_hash(record.secret_hash)) return "a token with that secret hash already exists";
  return {};
}

Applied apply_create(TokenIndex& index, TokenRecord record) {
  if (std::string problem = new_token_problem(index, record); !problem.empty()) {
    return refuse(StoreStatus::conflict, std::move(problem));
  }
  index.put(record);
  Applied a = accepted(record);
  a.puts.push_back(std::move(record));
  return a;
}

Applied apply_revoke(TokenIndex& index, PairCodeIndex& codes, std::string_view token_id,
                     UnixTime now) {
  const TokenRecord* old = index.by_id(token_id);
  if (!old) return refuse(StoreStatus::not_found, "no token with id " + std::string(token_id));
  if (old->revoked()) return accepted(*old);
  if (old->is_lasting_admin(now) && !index.has_lasting_admin_other_than(token_id, now)) {
    return refuse(StoreStatus::conflict, last_admin_message(token_id));
  }
  TokenRecord updated = *old;
  updated.revoked_at = now;
  index.put(updated);
  Applied a = accepted(updated);
  end_token(codes, std::move(updated), a, now);
  return a;
}

Applied apply_rotate(TokenIndex& index, std::string_view token_id, TokenRecord replacement,
                     std::optional<UnixTime> old_expires_at) {
  const UnixTime now = replacement.created_at;
  const TokenRecord* old = index.by_id(token_id);
  if (!old) return refuse(StoreStatus::not_found, "no token with id " + std::string(token_id));
  if (!old->active(now)) {
    return refuse(StoreStatus::conflict, "token " + old->token_id + " is not active (" +
                                             (old->revoked() ? "revoked" : "expired") + ")");
  }
  // Rotating twice would orphan the first replacement while the chain shows only the second.
  if (!old->rotated_to.empty()) {
    return refuse(StoreStatus::conflict, "token " + old->token_id + " was already rotated to " +
                                             old->rotated_to + "; rotate that token instead");
  }
  if (std::string problem = new_token_problem(index, replacement); !problem.empty()) {
    return refuse(StoreStatus::conflict, std::move(problem));
  }
  // The replacement normally carries the same scopes, so this only bites a caller that narrows
  // them: an expiring old admin must leave an admin behind.
  if (old_expires_at && old->is_lasting_admin(now) && !replacement.is_lasting_admin(now) &&
      !index.has_lasting_admin_other_than(token_id, now)) {
    return refuse(StoreStatus::conflict, last_admin_message(token_id));
  }

  TokenRecord updated = *old;
  updated.rotated_to = replacement.token_id;
  bool expiry_moved = false;
  if (old_expires_at) {
    // A grace period never lengthens a token's life beyond the expiry it already had.
    UnixTime when =
        updated.expires_at ? std::min(*updated.expires_at, *old_expires_at) : *old_expires_at;
    expiry_moved = updated.expires_at != when;
    updated.expires_at = when;
  }
  index.put(updated);
  index.put(replacement);
  Applied a = accepted(updated, replacement);
  if (expiry_moved) a.invalidated.push_back({updated.secret_hash, updated.token_id});
  a.puts.push_back(std::move(updated));
  a.puts.push_back(std::move(replacement));
  return a;
}

Applied apply_expire(TokenIndex& index, PairCodeIndex& codes, std::string_view token_id,
                     UnixTime now) {
  const TokenRecord* old = index.by_id(token_id);
  if (!old) return refuse(StoreStatus::not_found, "no token with id " + std::string(token_id));
  if (!old->active(now)) return accepted(*old);
  if (old->is_lasting_admin(now) && !index.has_lasting_admin_other_than(token_id, now)) {
    return refuse(StoreStatus::conflict, last_admin_message(token_id));
  }
  TokenRecord updated = *old;
  updated.expires_at = now;
  index.put(updated);
  Applied a = accepted(updated);
  end_token(codes, std::move(updated), a, now);
  return a;
}

}  // namespace fathom::store
