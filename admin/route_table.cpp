#include "route_table.h"

#include <string>
#include <vector>

namespace fathom::admin {

namespace {

// claim() hands out spans into these, so they live as long as the plugin.
const std::vector<std::string> kManageScopes{"tokens:manage"};
const std::vector<std::string> kAuditScopes{"audit:read"};
const std::vector<std::string> kAnyValidToken{};

// `path` is `prefix` or `prefix/…`; `rest` is what follows the slash ("" for the prefix itself).
// "/v1/tokensfoo" is someone else's.
bool under(std::string_view path, std::string_view prefix, std::string_view& rest, bool& exact) {
  if (!path.starts_with(prefix)) return false;
  rest = path.substr(prefix.size());
  exact = rest.empty();
  if (exact) return true;
  if (rest[0] != '/') return false;
  rest.remove_prefix(1);
  return true;
}

std::optional<RouteMatch> match_tokens(std::string_view rest, bool exact) {
  if (exact) return RouteMatch{RouteKind::tokens, {}};
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return RouteMatch{RouteKind::token, rest};
  if (rest.substr(slash) == "/rotate") return RouteMatch{RouteKind::rotate, rest.substr(0, slash)};
  return RouteMatch{RouteKind::other_token, {}};
}

std::optional<RouteMatch> match_pair_codes(std::string_view rest, bool exact) {
  if (exact) return RouteMatch{RouteKind::pair_codes, {}};
  if (rest.find('/') == std::string_view::npos) return RouteMatch{RouteKind::pair_code, rest};
  return RouteMatch{RouteKind::other_pair_code, {}};
}

}  // namespace

std::optional<RouteMatch> match_route(std::string_view path) {
  if (path == "/v1/auth/me") return RouteMatch{RouteKind::me, {}};
  std::string_view rest;
  bool exact = false;
  if (under(path, "/v1/tokens", rest, exact)) return match_tokens(rest, exact);
  if (under(path, "/v1/pair-codes", rest, exact)) return match_pair_codes(rest, exact);
  if (under(path, "/v1/pair", rest, exact)) {
    return RouteMatch{exact ? RouteKind::pair : RouteKind::other_pair_code, {}};
  }
  if (under(path, "/v1/audit", rest, exact)) {
    return RouteMatch{exact ? RouteKind::audit : RouteKind::other_audit, {}};
  }
  return std::nullopt;
}

std::optional<PolicyDecision> claim_route(std::string_view path) {
  const std::optional<RouteMatch> match = match_route(path);
  if (!match) return std::nullopt;
  switch (match->kind) {
    case RouteKind::me:
      return PolicyDecision::require(kAnyValidToken, "admin: /v1/auth/me needs any valid token");
    case RouteKind::pair:
      return PolicyDecision::allow_public("admin: /v1/pair takes a pair code instead of a token");
    case RouteKind::audit:
    case RouteKind::other_audit:
      return PolicyDecision::require(kAuditScopes, "admin: the audit trail needs audit:read");
    case RouteKind::pair_codes:
    case RouteKind::pair_code:
    case RouteKind::other_pair_code:
      return PolicyDecision::require(kManageScopes, "admin: pair codes need tokens:manage");
    case RouteKind::tokens:
    case RouteKind::token:
    case RouteKind::rotate:
    case RouteKind::other_token:
      break;
  }
  return PolicyDecision::require(kManageScopes, "admin: token routes need tokens:manage");
}

}  // namespace fathom::admin
