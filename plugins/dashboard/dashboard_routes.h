// The dashboard's routes: the Settings → API Keys page, its files, and "/" sending a browser there.
// Plain logic with no plugin glue (plugin.cpp wraps it), so unit tests call it directly.
//
//   GET|HEAD /settings/api-keys          index.html
//   GET|HEAD /dashboard/assets/<name>    one embedded file; 404 for a name it does not hold
//   GET|HEAD /                           302 to /settings/api-keys (config "redirect_root")
//
// Every route is public: a browser cannot send a bearer token when it navigates, and the page
// holds no secret (it asks for the admin token and calls the JSON API with it). Other methods on
// the page and asset paths get 405; other methods on "/" are not claimed, so they still reach the
// lake. Every answer carries the strict Content-Security-Policy below and no inline script or
// style is needed by the page.
//
// Config: none, or {"redirect_root": false} to leave "/" to the lake.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "assets.h"
#include "fathom/plugin.h"

namespace fathom::dashboard {

inline constexpr std::string_view kPagePath = "/settings/api-keys";
inline constexpr std::string_view kAssetPrefix = "/dashboard/assets/";
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
// Revalidate every time: the URLs carry no version, so a cached copy could outlive an upgrade.
// The ETag makes the revalidation a bodiless 304.
inline constexpr std::string_view kCacheControl = "no-cache";

struct DashboardConfig {
  bool redirect_root = true;
};

// Throws std::invalid_argument naming the key for a config it does not understand.
DashboardConfig parse_config(std::string_view config_json);

// "text/html; charset=utf-8" and so on by the name's extension; "" for a type it does not know.
std::string_view content_type_for(std::string_view name);

class DashboardRoutes {
 public:
  // `assets` must outlive the routes (embedded_assets() lives as long as the plugin).
  DashboardRoutes(std::span<const Asset> assets, DashboardConfig config);

  // The access the route needs (always allow_public), or nullopt when it is not the dashboard's.
  std::optional<PolicyDecision> claim(std::string_view method, std::string_view path) const;

  // The answer for a claimed route. `if_none_match` is the request's If-None-Match header. HEAD
  // gets the GET answer; the daemon sends its head only.
  Response answer(std::string_view method, std::string_view path,
                  std::optional<std::string_view> if_none_match) const;

  const Asset* find(std::string_view name) const;

 private:
  Response serve(const Asset& asset, std::optional<std::string_view> if_none_match) const;
  Response unknown_asset() const;

  std::span<const Asset> assets_;
  DashboardConfig config_;
};

}  // namespace fathom::dashboard
