// Tests admin/route_table.cpp: what the plugin claims for pair codes and the audit trail (the
// token routes' claims are in token_routes_test.cpp).

#include "route_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fathom::admin {
namespace {

std::vector<std::string> scopes_of(const PolicyDecision& d) {
  return {d.scopes.begin(), d.scopes.end()};
}

TEST(AdminRouteTable, PairCodesNeedTokensManage) {
  for (const char* path : {"/v1/pair-codes", "/v1/pair-codes/pc_abc", "/v1/pair-codes/",
                           "/v1/pair-codes/pc_abc/x", "/v1/pair/", "/v1/pair/x"}) {
    std::optional<PolicyDecision> d = claim_route(path);
    ASSERT_TRUE(d) << path;
    EXPECT_EQ(d->verdict, Verdict::require) << path;
    EXPECT_EQ(scopes_of(*d), std::vector<std::string>{"tokens:manage"}) << path;
  }
}

TEST(AdminRouteTable, PairIsPublic) {
  std::optional<PolicyDecision> d = claim_route("/v1/pair");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->verdict, Verdict::allow_public);
}

TEST(AdminRouteTable, AuditNeedsAuditRead) {
  for (const char* path : {"/v1/audit", "/v1/audit/", "/v1/audit/x"}) {
    std::optional<PolicyDecision> d = claim_route(path);
    ASSERT_TRUE(d) << path;
    EXPECT_EQ(d->verdict, Verdict::require) << path;
    EXPECT_EQ(scopes_of(*d), std::vector<std::string>{"audit:read"}) << path;
  }
}

TEST(AdminRouteTable, MatchesIdsAndLeavesNeighboursAlone) {
  std::optional<RouteMatch> m = match_route("/v1/pair-codes/pc_0123456789abcdef");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, RouteKind::pair_code);
  EXPECT_EQ(m->id, "pc_0123456789abcdef");
  EXPECT_EQ(match_route("/v1/pair")->kind, RouteKind::pair);
  EXPECT_EQ(match_route("/v1/audit")->kind, RouteKind::audit);
  EXPECT_EQ(match_route("/v1/pair/x")->kind, RouteKind::other_pair_code);
  for (const char* path : {"/v1/pairing", "/v1/pair-code", "/v1/auditx", "/v1/auth/explain"}) {
    EXPECT_FALSE(match_route(path)) << path;
  }
}

}  // namespace
}  // namespace fathom::admin
