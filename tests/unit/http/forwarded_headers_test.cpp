#include "http/forwarded_headers.h"

#include <gtest/gtest.h>

namespace fathom::http {
namespace {

const ForwardRules kDefault{};
const ForwardRules kUnderscores{.forward_authorization = false, .allow_underscores = true};

// What a CGI/WSGI upstream would read as the proxy's identity or as a routing instruction.
TEST(ForwardedHeaders, DropsIdentityHeadersWhateverTheirSpelling) {
  for (const ForwardRules& rules : {kDefault, kUnderscores}) {
    for (const char* name : {"X-Fathom-Token-Id",
                             "x-fathom-scopes",
                             "X_Fathom_Token_Id",
                             "X-Fathom_Scopes",
                             "X_FATHOM_ANYTHING",
                             "X-Forwarded-For",
                             "X_Forwarded_For",
                             "x-forwarded-proto",
                             "X-Forwarded-Host",
                             "X-Forwarded-Port",
                             "X-Forwarded-Prefix",
                             "X-Forwarded-Method",
                             "Forwarded",
                             "X-Real-IP",
                             "X_Real_Ip",
                             "X-Original-URL",
                             "X-Rewrite-URL",
                             "X-HTTP-Method-Override",
                             "X-HTTP-Method",
                             "X-Method-Override",
                             "x_method_override",
                             "Proxy-Authorization",
                             "X-Request-Id",
                             "X-Client-Request-Id",
                             "Host",
                             "Content-Length",
                             "Content_Length",
                             "Expect",
                             "Connection",
                             "Keep-Alive",
                             "Proxy-Connection",
                             "TE",
                             "Trailer",
                             "Transfer-Encoding",
                             "Transfer_Encoding",
                             "Upgrade",
                             "Authorization"}) {
      EXPECT_TRUE(dropped_request_header(name, rules))
          << name << (rules.allow_underscores ? " (underscores allowed)" : "");
    }
  }
}

TEST(ForwardedHeaders, DropsEveryNameWithAnUnderscoreByDefault) {
  EXPECT_TRUE(dropped_request_header("My_Header", kDefault));
  EXPECT_TRUE(dropped_request_header("_", kDefault));
  EXPECT_FALSE(dropped_request_header("My_Header", kUnderscores));
}

TEST(ForwardedHeaders, KeepsOrdinaryHeaders) {
  for (const char* name : {"Accept", "Content-Type", "User-Agent", "X-Custom", "X-Fathom",
                           "X-Forwarded", "Cookie", "If-None-Match", "X-Requested-With"}) {
    EXPECT_FALSE(dropped_request_header(name, kDefault)) << name;
  }
}

TEST(ForwardedHeaders, AuthorizationGoesOnlyWhenConfigured) {
  const ForwardRules forward{.forward_authorization = true, .allow_underscores = false};
  EXPECT_FALSE(dropped_request_header("Authorization", forward));
  EXPECT_TRUE(dropped_request_header("Proxy-Authorization", forward));
  EXPECT_TRUE(dropped_request_header("Authorization", kDefault));
}

TEST(ForwardedHeaders, NameComparisonFoldsCaseAndUnderscore) {
  EXPECT_TRUE(header_name_is("X_Fathom_Token_Id", "x-fathom-token-id"));
  EXPECT_TRUE(header_name_is("HOST", "host"));
  EXPECT_FALSE(header_name_is("hosts", "host"));
  EXPECT_FALSE(header_name_is("X.Fathom", "x-fathom"));
}

}  // namespace
}  // namespace fathom::http
