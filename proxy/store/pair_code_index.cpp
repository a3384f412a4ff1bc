#include "store/pair_code_index.h"

#include <algorithm>

namespace fathom::store {

UnixTime finished_at(const PairCodeRecord& code) {
  UnixTime end = code.expires_at;
  if (code.redeemed_at) end = std::min(end, *code.redeemed_at);
  if (code.cancelled_at) end = std::min(end, *code.cancelled_at);
  return end;
}

const PairCodeRecord* PairCodeIndex::by_id(std::string_view pair_code_id) const {
  auto it = by_id_.find(pair_code_id);
  return it == by_id_.end() ? nullptr : &it->second;
}

const PairCodeRecord* PairCodeIndex::by_hash(std::string_view code_hash) const {
  auto it = id_by_hash_.find(code_hash);
  return it == id_by_hash_.end() ? nullptr : by_id(it->second);
}

bool PairCodeIndex::put(PairCodeRecord code) {
  auto owner = id_by_hash_.find(code.code_hash);
  if (owner != id_by_hash_.end() && owner->second != code.pair_code_id) return false;

  auto it = by_id_.find(code.pair_code_id);
  if (it == by_id_.end()) {
    order_.emplace(code.created_at, code.pair_code_id);
    id_by_hash_.emplace(code.code_hash, code.pair_code_id);
    by_id_.emplace(code.pair_code_id, std::move(code));
    return true;
  }
  PairCodeRecord& old = it->second;
  if (old.created_at != code.created_at) {
    order_.erase({old.created_at, old.pair_code_id});
    order_.emplace(code.created_at, code.pair_code_id);
  }
  if (old.code_hash != code.code_hash) {
    id_by_hash_.erase(old.code_hash);
    id_by_hash_.emplace(code.code_hash, code.pair_code_id);
  }
  old = std::move(code);
  return true;
}

std::vector<PairCodeRecord> PairCodeIndex::pending(UnixTime now) const {
  std::vector<PairCodeRecord> out;
  for (const auto& key : order_) {
    const PairCodeRecord& code = by_id_.find(key.second)->second;
    if (code.pending(now)) out.push_back(code);
  }
  return out;
}

std::vector<PairCodeRecord> PairCodeIndex::all() const {
  std::vector<PairCodeRecord> out;
  out.reserve(by_id_.size());
  for (const auto& key : order_) out.push_back(by_id_.find(key.second)->second);
  return out;
}

size_t PairCodeIndex::drop_finished_before(UnixTime cutoff) {
  size_t dropped = 0;
  for (auto it = order_.begin(); it != order_.end();) {
    auto code = by_id_.find(it->second);
    if (finished_at(code->second) >= cutoff) {
      ++it;
      continue;
    }
    id_by_hash_.erase(code->second.code_hash);
    by_id_.erase(code);
    it = order_.erase(it);
    ++dropped;
  }
  return dropped;
}

void PairCodeIndex::clear() {
  by_id_.clear();
  id_by_hash_.clear();
  order_.clear();
}

}  // namespace fathom::store
