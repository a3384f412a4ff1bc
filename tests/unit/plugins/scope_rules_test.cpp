// Tests plugins/scope-rules/scope_rules.cpp: the default table, rule matching, and every
// validation message.

#include "scope_rules.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "fake_request.h"

namespace fathom::scope_rules {
namespace {

std::vector<std::string> scopes_of(const PolicyDecision& d) {
  return {d.scopes.begin(), d.scopes.end()};
}

std::string error_of(std::string_view config) {
  try {
    ScopeRules rules(config);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << config;
  return "";
}

TEST(ScopeRulesDefaultTable, ReadsNeedLakeReadAndEverythingElseLakeWrite) {
  for (const char* config : {"null", "{}"}) {
    SCOPED_TRACE(config);
    ScopeRules rules(config);
    EXPECT_TRUE(rules.uses_default_table());
    for (const char* method : {"GET", "HEAD", "OPTIONS"}) {
      const PolicyDecision d = rules.decide_for(method, "/v1/stats");
      EXPECT_EQ(d.verdict, Verdict::require) << method;
      EXPECT_EQ(scopes_of(d), std::vector<std::string>{"lake:read"}) << method;
    }
    for (const char* method : {"POST", "PUT", "PATCH", "DELETE", "TRACE", "CONNECT", "PURGE"}) {
      const PolicyDecision d = rules.decide_for(method, "/v1/stats");
      EXPECT_EQ(d.verdict, Verdict::require) << method;
      EXPECT_EQ(scopes_of(d), std::vector<std::string>{"lake:write"}) << method;
    }
  }
}

TEST(ScopeRulesDefaultTable, CoversEveryTargetIncludingAsterisk) {
  ScopeRules rules("null");
  EXPECT_EQ(scopes_of(rules.decide_for("OPTIONS", "*")), std::vector<std::string>{"lake:read"});
  EXPECT_EQ(scopes_of(rules.decide_for("GET", "")), std::vector<std::string>{"lake:read"});
  EXPECT_EQ(rules.decide_for("GET", "/").reason,
            "scope-rules: default table (GET, HEAD, OPTIONS need lake:read)");
  EXPECT_EQ(rules.decide_for("POST", "/").reason,
            "scope-rules: default table (other methods need lake:write)");
}

TEST(ScopeRulesDefaultTable, MethodsAreCaseSensitive) {
  // "get" is not GET (RFC 9110 methods are case-sensitive), so it is treated as a write.
  ScopeRules rules("null");
  EXPECT_EQ(scopes_of(rules.decide_for("get", "/")), std::vector<std::string>{"lake:write"});
}

constexpr const char* kTable = R"({"rules": [
  {"prefix": "/public/", "public": true},
  {"methods": ["GET", "HEAD"], "prefix": "/v1/", "scopes": ["lake:read"]},
  {"methods": ["POST"], "prefix": "/v1/query", "scopes": ["lake:read", "lake:query"]},
  {"prefix": "/v1/admin", "deny": true},
  {"prefix": "/v1/", "scopes": ["lake:write"]}
]})";

TEST(ScopeRulesTable, FirstMatchingRuleWins) {
  ScopeRules rules(kTable);
  EXPECT_FALSE(rules.uses_default_table());
  ASSERT_EQ(rules.rules().size(), 5u);

  PolicyDecision d = rules.decide_for("DELETE", "/public/x");
  EXPECT_EQ(d.verdict, Verdict::allow_public);
  EXPECT_EQ(d.reason, "scope-rules: rules[0] (prefix /public/)");

  d = rules.decide_for("GET", "/v1/admin/x");  // rule 1 comes before the deny
  EXPECT_EQ(d.verdict, Verdict::require);
  EXPECT_EQ(scopes_of(d), std::vector<std::string>{"lake:read"});
  EXPECT_EQ(d.reason, "scope-rules: rules[1] (prefix /v1/)");

  d = rules.decide_for("POST", "/v1/query?x");
  EXPECT_EQ(scopes_of(d), (std::vector<std::string>{"lake:read", "lake:query"}));

  d = rules.decide_for("POST", "/v1/admin/tokens");
  EXPECT_EQ(d.verdict, Verdict::deny);
  EXPECT_EQ(d.reason, "scope-rules: rules[3] (prefix /v1/admin)");

  d = rules.decide_for("PUT", "/v1/datasets/1");
  EXPECT_EQ(scopes_of(d), std::vector<std::string>{"lake:write"});
}

TEST(ScopeRulesTable, AbstainsWhenNoRuleMatches) {
  ScopeRules rules(kTable);
  for (const char* path : {"/", "/v2/x", "/v1", "/publicity", "*"}) {
    const PolicyDecision d = rules.decide_for("GET", path);
    EXPECT_EQ(d.verdict, Verdict::abstain) << path;
    EXPECT_TRUE(d.scopes.empty());
  }
}

TEST(ScopeRulesTable, PrefixIsMatchedAsBytesWithoutDecoding) {
  ScopeRules rules(R"({"rules": [{"prefix": "/a/", "public": true}]})");
  EXPECT_EQ(rules.decide_for("GET", "/a/b").verdict, Verdict::allow_public);
  EXPECT_EQ(rules.decide_for("GET", "/a%2Fb").verdict, Verdict::abstain);
  EXPECT_EQ(rules.decide_for("GET", "/A/b").verdict, Verdict::abstain);
}

TEST(ScopeRulesTable, ScopesPointIntoTheRuleWithoutCopying) {
  ScopeRules rules(kTable);
  const PolicyDecision d = rules.decide_for("GET", "/v1/x");
  EXPECT_EQ(d.scopes.data(), rules.rules()[1].scopes.data());
  EXPECT_EQ(d.reason.data(), rules.rules()[1].reason.data());
}

TEST(ScopeRulesTable, DecidesThroughTheRequestInterface) {
  ScopeRules rules(kTable);
  const ScopePolicy& policy = rules;
  EXPECT_EQ(policy.decide(testing::FakeRequest("GET", "/public/a")).verdict, Verdict::allow_public);
  EXPECT_EQ(policy.decide(testing::FakeRequest("PATCH", "/v1/admin")).verdict, Verdict::deny);
}

TEST(ScopeRulesValidation, NamesTheKeyAndTheProblem) {
  struct Case {
    const char* config;
    const char* message;
  };
  const Case cases[] = {
      {"[]", R"(config: must be an object such as {"rules": […]} or absent)"},
      {"{\"rule\": []}", "rule: unknown key (scope-rules takes only \"rules\")"},
      {"{\"rules\": []}",
       "rules: must be a non-empty array of rules; leave it out for the default table"},
      {"{\"rules\": {}}",
       "rules: must be a non-empty array of rules; leave it out for the default table"},
      {"{\"rules\": [3]}",
       "rules[0]: must be an object with \"prefix\" and one of \"scopes\", \"public\" or \"deny\""},
      {R"({"rules": [{"prefix": "/", "public": true}, {"prefix": "/", "scope": ["a"]}]})",
       "rules[1].scope: unknown key (a rule has methods, prefix, and one of scopes, public or "
       "deny)"},
      {R"({"rules": [{"scopes": ["a"]}]})",
       "rules[0].prefix: is required (use \"/\" for every path)"},
      {R"({"rules": [{"prefix": "v1/", "public": true}]})",
       "rules[0].prefix: must start with \"/\""},
      {R"({"rules": [{"prefix": 1, "public": true}]})",
       "rules[0].prefix: must be a string starting with \"/\""},
      {R"({"rules": [{"prefix": "/a b", "public": true}]})",
       "rules[0].prefix: must be printable ASCII without spaces (paths are matched as sent, not "
       "decoded)"},
      {R"({"rules": [{"prefix": "/a?b=1", "public": true}]})",
       "rules[0].prefix: must not contain \"?\" or \"#\": the path matched never includes the "
       "query"},
      {R"({"rules": [{"prefix": "/"}]})",
       "rules[0]: needs exactly one of \"scopes\", \"public\" or \"deny\""},
      {R"({"rules": [{"prefix": "/", "public": true, "deny": true}]})",
       "rules[0]: needs exactly one of \"scopes\", \"public\" or \"deny\""},
      {R"({"rules": [{"prefix": "/", "public": false}]})",
       "rules[0].public: must be true (or left out)"},
      {R"({"rules": [{"prefix": "/", "deny": "yes"}]})",
       "rules[0].deny: must be true (or left out)"},
      {R"({"rules": [{"prefix": "/", "scopes": []}]})",
       "rules[0].scopes: must be an array of 1 to 32 scopes such as [\"lake:read\"]"},
      {R"({"rules": [{"prefix": "/", "scopes": "lake:read"}]})",
       "rules[0].scopes: must be an array of 1 to 32 scopes such as [\"lake:read\"]"},
      {R"({"rules": [{"prefix": "/", "scopes": ["lake:read", "Lake:write"]}]})",
       "rules[0].scopes[1]: must be a scope such as \"lake:read\": lowercase letters, digits, '_' "
       "or '-', optionally ':' and a qualifier, at most 64 characters"},
      {R"({"rules": [{"methods": [], "prefix": "/", "public": true}]})",
       "rules[0].methods: must be a non-empty array of methods such as [\"GET\", \"HEAD\"]; leave "
       "it out to match every method"},
      {R"({"rules": [{"methods": ["GET", "get"], "prefix": "/", "public": true}]})",
       "rules[0].methods[1]: must be an uppercase method name such as \"GET\""},
      {R"({"rules": [{"methods": ["G T"], "prefix": "/", "public": true}]})",
       "rules[0].methods[0]: must be an uppercase method name such as \"GET\""},
  };
  for (const Case& c : cases) EXPECT_EQ(error_of(c.config), c.message) << c.config;
}

TEST(ScopeRulesValidation, ScopeCountIsBounded) {
  std::string scopes;
  for (int i = 0; i < 33; ++i)
    scopes += std::string(i ? "," : "") + "\"s" + std::to_string(i) + "\"";
  EXPECT_EQ(error_of(R"({"rules": [{"prefix": "/", "scopes": [)" + scopes + "]}]}"),
            "rules[0].scopes: must be an array of 1 to 32 scopes such as [\"lake:read\"]");
  scopes = scopes.substr(0, scopes.rfind(','));  // 32 is fine
  EXPECT_NO_THROW(ScopeRules(R"({"rules": [{"prefix": "/", "scopes": [)" + scopes + "]}]}"));
}

TEST(ScopeRulesValidation, ScopeSyntaxFollowsTheApi) {
  for (const char* good :
       {"a", "lake:read", "tokens:manage", "admin", "x_1-y:a.b*c-d_e", "lake:*"}) {
    EXPECT_TRUE(is_valid_scope(good)) << good;
  }
  for (const char* bad : {"", "1lake", "Lake", "lake:", ":read", "lake:read:x", "lake:Read",
                          "la ke", "lake/read", "-x", "_x"}) {
    EXPECT_FALSE(is_valid_scope(bad)) << bad;
  }
  EXPECT_TRUE(is_valid_scope(std::string(64, 'a')));
  EXPECT_FALSE(is_valid_scope(std::string(65, 'a')));
}

}  // namespace
}  // namespace fathom::scope_rules
