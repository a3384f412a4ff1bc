// Tests plugins/read-only/read_only.cpp.

#include "read_only.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "fake_request.h"

namespace fathom::read_only {
namespace {

TEST(ReadOnly, AbstainsOnReadsSoALaterPolicyPicksTheScopes) {
  ReadOnly policy("null");
  for (const char* method : {"GET", "HEAD", "OPTIONS"}) {
    const PolicyDecision d = policy.decide_for(method);
    EXPECT_EQ(d.verdict, Verdict::abstain) << method;
  }
}

TEST(ReadOnly, DeniesEveryOtherMethod) {
  ReadOnly policy("{}");
  for (const char* method :
       {"POST", "PUT", "PATCH", "DELETE", "TRACE", "CONNECT", "PROPFIND", "get", ""}) {
    const PolicyDecision d = policy.decide_for(method);
    EXPECT_EQ(d.verdict, Verdict::deny) << method;
    EXPECT_EQ(d.reason, "read-only: writes are disabled");
  }
}

TEST(ReadOnly, DecidesThroughTheRequestInterface) {
  const ReadOnly policy("null");
  const ScopePolicy& as_policy = policy;
  EXPECT_EQ(as_policy.decide(testing::FakeRequest("GET", "/v1/x")).verdict, Verdict::abstain);
  EXPECT_EQ(as_policy.decide(testing::FakeRequest("POST", "/v1/x")).verdict, Verdict::deny);
}

TEST(ReadOnly, RefusesAnyConfig) {
  auto error_of = [](const char* config) -> std::string {
    try {
      ReadOnly policy(config);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_EQ(error_of(R"({"allow": ["POST /v1/query"]})"),
            "allow: unknown key (read-only takes no settings)");
  EXPECT_EQ(error_of("[]"), "config: must be {} or absent");
  EXPECT_EQ(error_of("true"), "config: must be {} or absent");
}

}  // namespace
}  // namespace fathom::read_only
