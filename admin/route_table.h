// Which admin route a path names, and what access claim() asks the daemon for. One table for the
// whole plugin, so the claim and the dispatch can never disagree about a path.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "fathom/plugin.h"

namespace fathom::admin {

enum class RouteKind : uint8_t {
  tokens,           // /v1/tokens
  token,            // /v1/tokens/{id}
  rotate,           // /v1/tokens/{id}/rotate
  other_token,      // anything else under /v1/tokens/: claimed, so it is never forwarded, then 404
  me,               // /v1/auth/me
  pair_codes,       // /v1/pair-codes
  pair_code,        // /v1/pair-codes/{id}
  other_pair_code,  // anything else under /v1/pair-codes/ or /v1/pair/: 404
  pair,             // /v1/pair (public: the code is the credential)
  audit,            // /v1/audit
  other_audit,      // anything under /v1/audit/: 404
};

struct RouteMatch {
  RouteKind kind;
  std::string_view id;  // token or pair code id for token, rotate, pair_code; a view into the path
};

std::optional<RouteMatch> match_route(std::string_view path);

// What claim() answers, by path alone: tokens:manage for /v1/tokens and /v1/pair-codes (and every
// path under them and under /v1/pair/), any valid token for /v1/auth/me, no credentials for
// /v1/pair, audit:read for /v1/audit and below; nullopt for paths this plugin does not serve. The
// method does not matter here: a wrong method is answered 405 by handle(), after the caller has
// proved it may use the path.
std::optional<PolicyDecision> claim_route(std::string_view path);

}  // namespace fathom::admin
