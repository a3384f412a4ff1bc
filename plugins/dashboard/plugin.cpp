// The dashboard plugin's entry point: only glue. The routes live in dashboard_routes.{h,cpp}, the
// page in assets/.

#include <memory>
#include <optional>
#include <string_view>

#include "assets.h"
#include "dashboard_routes.h"
#include "fathom/plugin.h"

namespace {

using fathom::dashboard::DashboardRoutes;

class DashboardPlugin final : public fathom::Plugin, public fathom::RouteHandler {
 public:
  DashboardPlugin(fathom::Host& host, std::string_view config_json)
      : routes_(fathom::dashboard::embedded_assets(),
                fathom::dashboard::parse_config(config_json)) {
    host.log(fathom::LogLevel::info, "dashboard_ready",
             "the API keys page is served at /settings/api-keys");
  }

  fathom::RouteHandler* handler() override { return this; }

  std::optional<fathom::PolicyDecision> claim(const fathom::Request& request) const override {
    return routes_.claim(request.method(), request.path());
  }

  void handle(const fathom::Request& request, std::string_view /*body*/,
              std::shared_ptr<fathom::Responder> responder) override {
    responder->respond(
        routes_.answer(request.method(), request.path(), request.header("If-None-Match")));
  }

 private:
  DashboardRoutes routes_;
};

}  // namespace

FATHOM_PLUGIN("dashboard", DashboardPlugin)
