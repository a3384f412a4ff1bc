// The in-memory index of every token: by id, by secret hash, and in creation order for list().
// Not thread-safe on its own; FileStore guards it with a shared_mutex.
#pragma once

#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fathom/token_store.h"

namespace fathom::store {

// Heterogeneous lookup: find by string_view without building a std::string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class TokenIndex {
 public:
  const TokenRecord* by_id(std::string_view token_id) const;
  const TokenRecord* by_hash(std::string_view secret_hash) const;

  // Inserts or replaces the record with the same token_id. last_used_at never moves backwards:
  // a put replayed over a newer snapshot, or a write racing a touch, keeps the later time.
  // Returns false, changing nothing, if the secret hash belongs to another token.
  bool put(TokenRecord record);

  // Sets last_used_at if `when` is later; false if the token is unknown or the time is not newer.
  bool touch(std::string_view token_id, UnixTime when);

  // True if a token other than `except_id` is a lasting admin token at `now` (the last-admin rule).
  bool has_lasting_admin_other_than(std::string_view except_id, UnixTime now) const;

  // Every token, oldest first (created_at, then token_id).
  std::vector<TokenRecord> all() const;
  size_t size() const { return by_id_.size(); }
  void clear();

 private:
  std::unordered_map<std::string, TokenRecord, StringHash, std::equal_to<>> by_id_;
  std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> id_by_hash_;
  std::set<std::pair<UnixTime, std::string>> order_;
};

}  // namespace fathom::store
