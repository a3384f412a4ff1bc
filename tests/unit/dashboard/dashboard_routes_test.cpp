// Tests plugins/dashboard/dashboard_routes.cpp with a small asset set of its own.

#include "dashboard_routes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace fathom::dashboard {
namespace {

const Asset kAssets[] = {
    {"app.css", "body{}", "\"css-tag\""},
    {"app.js", "export {};", "\"js-tag\""},
    {"index.html", "<!doctype html>", "\"html-tag\""},
};

std::vector<std::string> header_values(const Response& response, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& [n, v] : response.headers) {
    if (n == name) values.push_back(v);
  }
  return values;
}

std::string header(const Response& response, std::string_view name) {
  std::vector<std::string> values = header_values(response, name);
  EXPECT_LE(values.size(), 1u) << name;
  return values.empty() ? "" : values.front();
}

void expect_security_headers(const Response& response) {
  EXPECT_EQ(header(response, "Content-Security-Policy"),
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  EXPECT_EQ(header(response, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(response, "Referrer-Policy"), "no-referrer");
}

class DashboardRoutesTest : public ::testing::Test {
 protected:
  DashboardRoutes routes{kAssets, DashboardConfig{}};
};

TEST_F(DashboardRoutesTest, ClaimsThePageAndItsFilesAsPublicForEveryMethod) {
  for (const char* method : {"GET", "HEAD", "POST", "DELETE"}) {
    for (const char* path : {"/settings/api-keys", "/dashboard/assets/app.js",
                             "/dashboard/assets/nothing-here", "/dashboard/assets/"}) {
      std::optional<PolicyDecision> claim = routes.claim(method, path);
      ASSERT_TRUE(claim) << method << " " << path;
      EXPECT_EQ(claim->verdict, Verdict::allow_public);
      EXPECT_TRUE(claim->scopes.empty());
    }
  }
}

TEST_F(DashboardRoutesTest, LeavesOtherPathsToTheRestOfTheDaemon) {
  for (const char* path : {"/settings/api-keys/", "/settings/api-keysx", "/settings",
                           "/dashboard/assets", "/dashboard/other", "/v1/tokens", "/x/"}) {
    EXPECT_FALSE(routes.claim("GET", path)) << path;
  }
}

TEST_F(DashboardRoutesTest, ClaimsOnlyReadsOfTheRootSoTheLakeKeepsItsWrites) {
  EXPECT_EQ(routes.claim("GET", "/")->verdict, Verdict::allow_public);
  EXPECT_EQ(routes.claim("HEAD", "/")->verdict, Verdict::allow_public);
  EXPECT_FALSE(routes.claim("POST", "/"));
  EXPECT_FALSE(routes.claim("OPTIONS", "/"));
}

TEST(DashboardRoutes, RootCanBeLeftToTheLake) {
  DashboardRoutes routes(kAssets, parse_config(R"({"redirect_root": false})"));
  EXPECT_FALSE(routes.claim("GET", "/"));
  EXPECT_TRUE(routes.claim("GET", "/settings/api-keys"));
}

TEST_F(DashboardRoutesTest, RootRedirectsToThePage) {
  for (const char* method : {"GET", "HEAD"}) {
    Response r = routes.answer(method, "/", std::nullopt);
    EXPECT_EQ(r.status, 302);
    EXPECT_EQ(header(r, "Location"), "/settings/api-keys");
    expect_security_headers(r);
  }
}

TEST_F(DashboardRoutesTest, ServesThePageAsHtmlWithItsTag) {
  Response r = routes.answer("GET", "/settings/api-keys", std::nullopt);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.body, "<!doctype html>");
  EXPECT_EQ(header(r, "ETag"), "\"html-tag\"");
  EXPECT_EQ(header(r, "Cache-Control"), "no-cache");
  expect_security_headers(r);
}

TEST_F(DashboardRoutesTest, ServesEachAssetWithItsType) {
  Response js = routes.answer("GET", "/dashboard/assets/app.js", std::nullopt);
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js.body, "export {};");
  EXPECT_EQ(header(js, "ETag"), "\"js-tag\"");
  expect_security_headers(js);

  Response css = routes.answer("HEAD", "/dashboard/assets/app.css", std::nullopt);
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
  // The daemon drops a HEAD answer's body but keeps its Content-Length, so the body stays.
  EXPECT_EQ(css.body, "body{}");
}

TEST_F(DashboardRoutesTest, AnswersAMatchingRevalidationWith304AndNoBody) {
  Response r = routes.answer("GET", "/dashboard/assets/app.js", "W/\"old\", \"js-tag\"");
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(header(r, "ETag"), "\"js-tag\"");
  EXPECT_EQ(header(r, "Cache-Control"), "no-cache");
  expect_security_headers(r);

  Response stale = routes.answer("GET", "/dashboard/assets/app.js", "\"html-tag\"");
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(stale.body, "export {};");
}

TEST_F(DashboardRoutesTest, AnUnknownAssetIs404JsonNamingWhatExists) {
  for (const char* path : {"/dashboard/assets/missing.js", "/dashboard/assets/",
                           "/dashboard/assets/app.js/x", "/dashboard/assets/APP.JS"}) {
    Response r = routes.answer("GET", path, std::nullopt);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.content_type, "application/json");
    const nlohmann::json body = nlohmann::json::parse(r.body);
    EXPECT_EQ(body["error"], "not_found");
    EXPECT_EQ(body["message"], "No such dashboard file; it has app.css, app.js, index.html.");
    expect_security_headers(r);
  }
}

TEST_F(DashboardRoutesTest, OtherMethodsAre405WithAllow) {
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "get"}) {
    for (const char* path : {"/settings/api-keys", "/dashboard/assets/app.js"}) {
      Response r = routes.answer(method, path, std::nullopt);
      EXPECT_EQ(r.status, 405) << method << " " << path;
      EXPECT_EQ(header(r, "Allow"), "GET, HEAD");
      EXPECT_EQ(nlohmann::json::parse(r.body)["error"], "method_not_allowed");
      expect_security_headers(r);
    }
  }
}

TEST(DashboardRoutes, ContentTypesByExtension) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("a.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("logo.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("notes.txt"), "");
  EXPECT_EQ(content_type_for("js"), "");
}

TEST(DashboardRoutes, RefusesAnAssetSetWithoutAPageOrWithAnUnknownType) {
  const Asset no_index[] = {{"app.js", "", "\"a\""}};
  EXPECT_THROW(DashboardRoutes(no_index, {}), std::invalid_argument);
  const Asset odd_type[] = {{"index.html", "", "\"a\""}, {"notes.txt", "", "\"b\""}};
  EXPECT_THROW(DashboardRoutes(odd_type, {}), std::invalid_argument);
}

TEST(DashboardConfig, AcceptsNothingOrRedirectRoot) {
  EXPECT_TRUE(parse_config("null").redirect_root);
  EXPECT_TRUE(parse_config("{}").redirect_root);
  EXPECT_TRUE(parse_config(R"({"redirect_root": true})").redirect_root);
  EXPECT_FALSE(parse_config(R"({"redirect_root": false})").redirect_root);
}

TEST(DashboardConfig, NamesTheKeyItRefuses) {
  auto error_of = [](const char* config) -> std::string {
    try {
      parse_config(config);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_EQ(error_of(R"({"redirect": false})"),
            "redirect: unknown key (the dashboard takes only redirect_root)");
  EXPECT_EQ(error_of(R"({"redirect_root": "no"})"), "redirect_root: must be true or false");
  EXPECT_EQ(error_of("[]"), "config: must be an object such as {\"redirect_root\": false}");
}

}  // namespace
}  // namespace fathom::dashboard
