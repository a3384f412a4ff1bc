// The in-memory index of pair codes: by id, by code hash, and in creation order. Not thread-safe
// on its own; FileStore guards it with the same shared_mutex as the token index, so a redeem
// checks the code and creates the token in one step.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fathom/token_store.h"
#include "store/token_index.h"

namespace fathom::store {

class PairCodeIndex {
 public:
  const PairCodeRecord* by_id(std::string_view pair_code_id) const;
  const PairCodeRecord* by_hash(std::string_view code_hash) const;

  // Inserts or replaces the code with the same id. Returns false, changing nothing, if the hash
  // belongs to another code.
  bool put(PairCodeRecord code);

  // Codes pending at `now`, oldest first.
  std::vector<PairCodeRecord> pending(UnixTime now) const;
  // Every code, oldest first.
  std::vector<PairCodeRecord> all() const;
  // Forgets every code that stopped being pending (redeemed, cancelled or expired) before
  // `cutoff`; returns how many. A forgotten code answers like an unknown one: invalid_grant.
  size_t drop_finished_before(UnixTime cutoff);
  void clear();
  size_t size() const { return by_id_.size(); }

 private:
  std::unordered_map<std::string, PairCodeRecord, StringHash, std::equal_to<>> by_id_;
  std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> id_by_hash_;
  std::set<std::pair<UnixTime, std::string>> order_;
};

// When a code stopped being pending: redeemed, cancelled or expired, whichever came first.
UnixTime finished_at(const PairCodeRecord& code);

}  // namespace fathom::store
