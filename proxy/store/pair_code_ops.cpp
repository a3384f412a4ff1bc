#include "store/pair_code_ops.h"

#include <algorithm>
#include <string>
#include <utility>

namespace fathom::store {
namespace {

Applied refuse(StoreStatus status, std::string message) {
  Applied a;
  a.result.status = status;
  a.result.message = std::move(message);
  return a;
}

}  // namespace

Applied apply_create_pair_code(PairCodeIndex& codes, PairCodeRecord code) {
  if (code.pair_code_id.empty()) return refuse(StoreStatus::conflict, "the pair code has no id");
  if (code.code_hash.empty()) {
    return refuse(StoreStatus::conflict, "pair code " + code.pair_code_id + " has no code_hash");
  }
  if (codes.by_id(code.pair_code_id)) {
    return refuse(StoreStatus::conflict, "pair code id " + code.pair_code_id + " already exists");
  }
  if (codes.by_hash(code.code_hash)) {
    return refuse(StoreStatus::conflict, "a pair code with that hash already exists");
  }
  codes.put(code);
  Applied a;
  a.result.pair_code = code;
  a.pair_code_puts.push_back(std::move(code));
  return a;
}

Applied apply_cancel_pair_code(PairCodeIndex& codes, std::string_view pair_code_id, UnixTime now) {
  const PairCodeRecord* old = codes.by_id(pair_code_id);
  if (!old || !old->pending(now)) {
    return refuse(StoreStatus::not_found,
                  "no pending pair code with id " + std::string(pair_code_id));
  }
  PairCodeRecord updated = *old;
  updated.cancelled_at = now;
  codes.put(updated);
  Applied a;
  a.result.pair_code = updated;
  a.pair_code_puts.push_back(std::move(updated));
  return a;
}

std::vector<PairCodeRecord> cancel_pending_codes_of(PairCodeIndex& codes, std::string_view creator,
                                                    UnixTime now) {
  std::vector<PairCodeRecord> cancelled;
  for (PairCodeRecord code : codes.all()) {
    if (code.created_by != creator || !code.pending(now)) continue;
    code.cancelled_at = now;
    codes.put(code);
    cancelled.push_back(std::move(code));
  }
  return cancelled;
}

bool creator_still_grants(const TokenIndex& tokens, const PairCodeRecord& code, UnixTime now) {
  const TokenRecord* creator = tokens.by_id(code.created_by);
  if (!creator || !creator->active(now)) return false;
  return std::all_of(code.scopes.begin(), code.scopes.end(),
                     [&](const std::string& scope) { return creator->holds(scope); });
}

Applied apply_redeem_pair_code(TokenIndex& tokens, PairCodeIndex& codes, std::string_view code_hash,
                               TokenRecord token) {
  const UnixTime now = token.created_at;
  const PairCodeRecord* code = codes.by_hash(code_hash);
  // One answer for unknown, used, cancelled and expired: a client learns nothing by guessing.
  if (!code || !code->pending(now) || !creator_still_grants(tokens, *code, now)) {
    return refuse(StoreStatus::invalid_grant,
                  "the pair code is unknown, used, cancelled or expired");
  }
  token.name = code->name;
  token.scopes = code->scopes;
  token.created_by = code->created_by;
  if (std::string problem = new_token_problem(tokens, token); !problem.empty()) {
    return refuse(StoreStatus::conflict, std::move(problem));
  }
  PairCodeRecord used = *code;
  used.redeemed_at = now;
  used.token_id = token.token_id;
  codes.put(used);
  tokens.put(token);
  Applied a;
  a.result.token = token;
  a.result.pair_code = used;
  a.puts.push_back(std::move(token));
  a.pair_code_puts.push_back(std::move(used));
  return a;
}

}  // namespace fathom::store
