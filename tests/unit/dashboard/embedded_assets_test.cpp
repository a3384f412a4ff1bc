// Tests the page as embedded by plugins/dashboard/embed_assets.cmake: byte for byte the files in
// plugins/dashboard/assets/, and written so that the strict Content-Security-Policy lets it run.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "assets.h"
#include "dashboard_routes.h"

namespace fathom::dashboard {
namespace {

const std::string kAssetDir = FATHOM_SOURCE_DIR "/plugins/dashboard/assets";

std::string read_source(const std::string& name) {
  std::ifstream in(kAssetDir + "/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string asset_text(std::string_view name) {
  for (const Asset& asset : embedded_assets()) {
    if (asset.name == name) return std::string(asset.bytes);
  }
  ADD_FAILURE() << "no embedded asset " << name;
  return {};
}

// Every match of the first group of `pattern` in `text`.
std::vector<std::string> captures(const std::string& text, const std::string& pattern) {
  std::vector<std::string> out;
  const std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    out.push_back((*it)[1].str());
  }
  return out;
}

TEST(EmbeddedAssets, AreTheSourceFilesByteForByte) {
  std::set<std::string> on_disk;
  for (const auto& entry : std::filesystem::directory_iterator(kAssetDir)) {
    const std::string name = entry.path().filename().string();
    if (!content_type_for(name).empty()) on_disk.insert(name);
  }
  std::set<std::string> embedded;
  std::set<std::string_view> tags;
  for (const Asset& asset : embedded_assets()) {
    embedded.insert(std::string(asset.name));
    EXPECT_EQ(asset.bytes, read_source(std::string(asset.name))) << asset.name;
    EXPECT_TRUE(std::regex_match(std::string(asset.etag), std::regex("\"[0-9a-f]{32}\"")))
        << asset.etag;
    tags.insert(asset.etag);
  }
  EXPECT_EQ(embedded, on_disk);
  EXPECT_EQ(tags.size(), embedded.size()) << "two assets share an ETag";
  EXPECT_TRUE(embedded.contains("index.html"));
  EXPECT_TRUE(embedded.contains("app.js"));
  EXPECT_TRUE(embedded.contains("app.css"));
}

TEST(EmbeddedAssets, ThePageLoadsOnlyItsOwnFiles) {
  const std::string html = asset_text("index.html");
  const std::vector<std::string> links = captures(html, R"((?:src|href)="([^"]*)\")");
  ASSERT_FALSE(links.empty());
  for (const std::string& link : links) {
    if (link == "data:,") continue;  // the empty icon (img-src allows data:)
    ASSERT_TRUE(link.starts_with(kAssetPrefix)) << link << " is not one of the dashboard's files";
    EXPECT_FALSE(content_type_for(link).empty()) << link;
    bool found = false;
    for (const Asset& asset : embedded_assets()) {
      found = found || asset.name == link.substr(kAssetPrefix.size());
    }
    EXPECT_TRUE(found) << link << " is not embedded";
  }
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(EmbeddedAssets, ThePageHasNoInlineScriptOrStyle) {
  const std::string html = asset_text("index.html");
  // script-src 'self' and style-src 'self' refuse inline code: every script has a src, and there
  // are no <style> blocks, style="" attributes or on…="" handlers.
  for (const std::string& script : captures(html, R"((<script[^>]*>))")) {
    EXPECT_NE(script.find(" src=\"/dashboard/assets/"), std::string::npos) << script;
  }
  EXPECT_TRUE(captures(html, R"(<script[^>]*>([^<]+)</script>)").empty());
  EXPECT_EQ(html.find("<style"), std::string::npos);
  EXPECT_TRUE(captures(html, R"(\s(style)=)").empty());
  EXPECT_TRUE(captures(html, R"(\s(on[a-z]+)=)").empty());
}

TEST(EmbeddedAssets, ScriptsImportOnlyEmbeddedModulesAndNeedNoEval) {
  for (const Asset& asset : embedded_assets()) {
    if (!asset.name.ends_with(".js")) continue;
    const std::string js(asset.bytes);
    for (const std::string& module : captures(js, R"(from '\./([^']+)')")) {
      bool found = false;
      for (const Asset& other : embedded_assets()) found = found || other.name == module;
      EXPECT_TRUE(found) << asset.name << " imports " << module << ", which is not embedded";
    }
    // No 'unsafe-eval' in the policy; no HTML strings either, so server data cannot add markup.
    for (const char* banned :
         {"eval(", "new Function", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
          ".style.", "'style'", "http://", "https://"}) {
      EXPECT_EQ(js.find(banned), std::string::npos) << asset.name << " uses " << banned;
    }
  }
}

TEST(EmbeddedAssets, ServeThroughTheRoutes) {
  const DashboardRoutes routes(embedded_assets(), {});
  const Response page = routes.answer("GET", kPagePath, std::nullopt);
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, read_source("index.html"));
  const Response js = routes.answer("GET", "/dashboard/assets/app.js", std::nullopt);
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, read_source("app.js"));
}

}  // namespace
}  // namespace fathom::dashboard
