#include "store/token_index.h"

#include <algorithm>

namespace fathom::store {

const TokenRecord* TokenIndex::by_id(std::string_view token_id) const {
  auto it = by_id_.find(token_id);
  return it == by_id_.end() ? nullptr : &it->second;
}

const TokenRecord* TokenIndex::by_hash(std::string_view secret_hash) const {
  auto it = id_by_hash_.find(secret_hash);
  return it == id_by_hash_.end() ? nullptr : by_id(it->second);
}

bool TokenIndex::put(TokenRecord record) {
  auto owner = id_by_hash_.find(record.secret_hash);
  if (owner != id_by_hash_.end() && owner->second != record.token_id) return false;

  auto it = by_id_.find(record.token_id);
  if (it == by_id_.end()) {
    order_.emplace(record.created_at, record.token_id);
    id_by_hash_.emplace(record.secret_hash, record.token_id);
    by_id_.emplace(record.token_id, std::move(record));
    return true;
  }
  TokenRecord& old = it->second;
  if (old.last_used_at && (!record.last_used_at || *record.last_used_at < *old.last_used_at)) {
    record.last_used_at = old.last_used_at;
  }
  if (old.created_at != record.created_at) {
    order_.erase({old.created_at, old.token_id});
    order_.emplace(record.created_at, record.token_id);
  }
  if (old.secret_hash != record.secret_hash) {
    id_by_hash_.erase(old.secret_hash);
    id_by_hash_.emplace(record.secret_hash, record.token_id);
  }
  old = std::move(record);
  return true;
}

bool TokenIndex::touch(std::string_view token_id, UnixTime when) {
  auto it = by_id_.find(token_id);
  if (it == by_id_.end()) return false;
  std::optional<UnixTime>& last = it->second.last_used_at;
  if (last && *last >= when) return false;
  last = when;
  return true;
}

bool TokenIndex::has_lasting_admin_other_than(std::string_view except_id, UnixTime now) const {
  return std::any_of(by_id_.begin(), by_id_.end(), [&](const auto& entry) {
    return entry.first != except_id && entry.second.is_lasting_admin(now);
  });
}

std::vector<TokenRecord> TokenIndex::all() const {
  std::vector<TokenRecord> out;
  out.reserve(by_id_.size());
  for (const auto& key : order_) out.push_back(by_id_.find(key.second)->second);
  return out;
}

void TokenIndex::clear() {
  by_id_.clear();
  id_by_hash_.clear();
  order_.clear();
}

}  // namespace fathom::store
