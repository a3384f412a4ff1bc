// What clients send to the token routes, parsed and checked before anything touches the store.
// Every refusal is a 400 invalid_request whose message starts with the field it is about
// ("scopes[2]: …"), so a person can find the mistake without reading docs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fathom/plugin.h"
#include "fathom/token_store.h"

namespace fathom::admin {

inline constexpr size_t kMaxNameChars = 64;
inline constexpr size_t kMaxScopes = 32;
inline constexpr size_t kMaxScopeLength = 64;
inline constexpr int64_t kMaxExpiresIn = 315360000;   // ten years
inline constexpr int64_t kMaxGraceSeconds = 2592000;  // thirty days

// A parse result: `value` when `error` is empty, else `error` is the 400 message.
template <typename T>
struct Parsed {
  T value{};
  std::string error;
  bool ok() const { return error.empty(); }
};

// POST /v1/tokens: {"name", "scopes", "expires_in"?, "expires_at"?}.
struct MintRequest {
  std::string name;
  std::vector<std::string> scopes;
  std::optional<UnixTime> expires_at;  // expires_in is resolved against `now` while parsing
};
Parsed<MintRequest> parse_mint_request(std::string_view body, UnixTime now);

// POST /v1/tokens/{id}/rotate: {"grace_seconds"?}; an empty body is the same as {}.
struct RotateRequest {
  std::optional<int64_t> grace_seconds;
};
Parsed<RotateRequest> parse_rotate_request(std::string_view body);

// GET /v1/tokens?status=…: active (default), revoked, expired or all.
enum class StatusFilter : uint8_t { active, revoked, expired, all };
Parsed<StatusFilter> parse_list_query(std::string_view query);
bool status_matches(StatusFilter filter, const TokenRecord& record, UnixTime now);

// ^[a-z][a-z0-9_-]*(:[a-z0-9_*.-]+)?$ and at most 64 characters.
bool is_valid_scope(std::string_view scope);
// 1 to 64 characters of valid UTF-8, none of them a control or an invisible formatting character
// (bidirectional overrides, zero-width space, line separators), and not only spaces.
bool is_valid_token_name(std::string_view name);
// "tok_" and 1 to 64 ASCII letters and digits. Wider than the 16 that new ids have, so a token
// minted by another tool stays reachable, but narrow enough to echo back in a message safely.
bool is_token_id(std::string_view id);

// The first of `scopes` that `caller` does not hold, or nullptr. No escalation: a token may grant
// (mint, rotate, pair code) only what it holds.
const std::string* missing_scope(const Identity& caller, const std::vector<std::string>& scopes);

// The first scope of `target` that `caller` does not hold, or nullptr when the caller may revoke,
// rotate or expire it: a token acts only on tokens whose every scope it holds (so a stolen
// tokens:manage token cannot take out the admins and auditors), and may always revoke itself.
const std::string* authority_lacking(const Identity& caller, const TokenRecord& target);

}  // namespace fathom::admin
