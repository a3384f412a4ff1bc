#include "dashboard_routes.h"

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "if_none_match.h"

namespace fathom::dashboard {

namespace {

constexpr std::string_view kIndex = "index.html";

void add_security_headers(Response& response) {
  response.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
}

Response error_response(int status, std::string_view code, std::string_view message) {
  nlohmann::json body = nlohmann::json::object();
  body["error"] = code;
  body["message"] = message;
  Response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = body.dump();
  add_security_headers(response);
  return response;
}

bool is_read(std::string_view method) {
  return method == "GET" || method == "HEAD";
}

}  // namespace

DashboardConfig parse_config(std::string_view config_json) {
  const nlohmann::json config = nlohmann::json::parse(config_json, nullptr, false);
  if (config.is_discarded()) throw std::invalid_argument("config: not valid JSON");
  DashboardConfig out;
  if (config.is_null()) return out;
  if (!config.is_object()) {
    throw std::invalid_argument("config: must be an object such as {\"redirect_root\": false}");
  }
  for (const auto& [key, value] : config.items()) {
    if (key != "redirect_root") {
      throw std::invalid_argument(key + ": unknown key (the dashboard takes only redirect_root)");
    }
    if (!value.is_boolean()) throw std::invalid_argument("redirect_root: must be true or false");
    out.redirect_root = value.get<bool>();
  }
  return out;
}

std::string_view content_type_for(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return {};
}

DashboardRoutes::DashboardRoutes(std::span<const Asset> assets, DashboardConfig config)
    : assets_(assets), config_(config) {
  if (find(kIndex) == nullptr) throw std::invalid_argument("the dashboard has no index.html");
  for (const Asset& asset : assets_) {
    if (content_type_for(asset.name).empty()) {
      throw std::invalid_argument("dashboard asset " + std::string(asset.name) +
                                  " has a type the plugin cannot label");
    }
  }
}

const Asset* DashboardRoutes::find(std::string_view name) const {
  for (const Asset& asset : assets_) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

std::optional<PolicyDecision> DashboardRoutes::claim(std::string_view method,
                                                     std::string_view path) const {
  constexpr std::string_view kReason = "dashboard: the page and its files are public";
  if (path == kPagePath || path.starts_with(kAssetPrefix)) {
    return PolicyDecision::allow_public(kReason);
  }
  // Only a browser's navigation to "/" is the dashboard's; the lake may serve other methods there.
  if (path == "/" && config_.redirect_root && is_read(method)) {
    return PolicyDecision::allow_public(kReason);
  }
  return std::nullopt;
}

Response DashboardRoutes::answer(std::string_view method, std::string_view path,
                                 std::optional<std::string_view> if_none_match) const {
  if (!is_read(method)) {
    Response response = error_response(405, "method_not_allowed",
                                       "The dashboard's pages accept only GET and HEAD.");
    response.headers.emplace_back("Allow", "GET, HEAD");
    return response;
  }
  if (path == "/") {
    Response response;
    response.status = 302;
    response.content_type = "text/plain; charset=utf-8";
    response.body = "The dashboard is at " + std::string(kPagePath) + "\n";
    response.headers.emplace_back("Location", std::string(kPagePath));
    add_security_headers(response);
    return response;
  }
  if (path == kPagePath) return serve(*find(kIndex), if_none_match);
  const Asset* asset =
      path.starts_with(kAssetPrefix) ? find(path.substr(kAssetPrefix.size())) : nullptr;
  return asset != nullptr ? serve(*asset, if_none_match) : unknown_asset();
}

Response DashboardRoutes::serve(const Asset& asset,
                                std::optional<std::string_view> if_none_match) const {
  Response response;
  response.content_type = std::string(content_type_for(asset.name));
  if (if_none_match && if_none_match_hits(*if_none_match, asset.etag)) {
    response.status = 304;
  } else {
    response.status = 200;
    response.body = std::string(asset.bytes);
  }
  response.headers.emplace_back("ETag", std::string(asset.etag));
  response.headers.emplace_back("Cache-Control", std::string(kCacheControl));
  add_security_headers(response);
  return response;
}

Response DashboardRoutes::unknown_asset() const {
  // The name asked for is not echoed: a path is no place for a secret, but people paste oddly.
  std::string names;
  for (const Asset& asset : assets_) {
    if (!names.empty()) names += ", ";
    names += asset.name;
  }
  return error_response(404, "not_found", "No such dashboard file; it has " + names + ".");
}

}  // namespace fathom::dashboard
