// The admin plugin's entry point: only glue. The routes live in admin_routes.{h,cpp} and the
// files it names.

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "admin_routes.h"
#include "failure_limit.h"
#include "fathom/plugin.h"
#include "responses.h"
#include "route_table.h"
#include "token_routes.h"

namespace {

using fathom::admin::AdminRoutes;

// New ids and secrets come from the daemon: it owns the randomness and the hash key.
class HostCredentials final : public fathom::admin::Credentials {
 public:
  explicit HostCredentials(fathom::Host& host) : host_(host) {}
  fathom::NewSecret new_secret() override { return host_.new_secret(); }
  std::string new_token_id() override { return host_.new_token_id(); }
  fathom::NewSecret new_pair_code() override { return host_.new_pair_code(); }
  std::string new_pair_code_id() override { return host_.new_pair_code_id(); }
  std::string hash_secret(std::string_view secret) override { return host_.hash_secret(secret); }

 private:
  fathom::Host& host_;
};

// Wrong pair codes count toward the same per-address limit as wrong tokens.
class HostFailureLimit final : public fathom::admin::FailureLimit {
 public:
  explicit HostFailureLimit(fathom::Host& host) : host_(host) {}
  int retry_after(std::string_view client) override { return host_.rate_limited(client); }
  void count_failure(std::string_view client) override { host_.count_failure(client); }

 private:
  fathom::Host& host_;
};

fathom::UnixTime wall_clock() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class AdminPlugin final : public fathom::Plugin, public fathom::RouteHandler {
 public:
  AdminPlugin(fathom::Host& host, std::string_view config_json) : credentials_(host), limit_(host) {
    // Nothing to configure yet; refuse keys now rather than ignore them silently.
    const nlohmann::json config = nlohmann::json::parse(config_json, nullptr, false);
    if (config.is_discarded() || !(config.is_null() || (config.is_object() && config.empty()))) {
      throw std::invalid_argument(
          "config: the admin plugin takes no settings; remove its \"config\" object");
    }
    if (fathom::TokenStore* store = host.store()) {
      routes_.emplace(*store, credentials_, limit_, host.audit(), &wall_clock,
                      [&host](fathom::LogLevel level, std::string_view event,
                              std::string_view message) { host.log(level, event, message); });
    }
  }

  fathom::RouteHandler* handler() override { return this; }

  std::optional<fathom::PolicyDecision> claim(const fathom::Request& request) const override {
    return fathom::admin::claim_route(request.path());
  }

  void handle(const fathom::Request& request, std::string_view body,
              std::shared_ptr<fathom::Responder> responder) override {
    // Without a store (check-config) the routes are still claimed, so they are never forwarded.
    if (!routes_) return responder->respond(fathom::admin::store_unavailable());
    routes_->handle(request, body, std::move(responder));
  }

 private:
  HostCredentials credentials_;
  HostFailureLimit limit_;
  std::optional<AdminRoutes> routes_;
};

}  // namespace

FATHOM_PLUGIN("admin", AdminPlugin)
