// The admin token routes (API.md, "Routes served by the admin plugin") as small blocking calls,
// and a daemon configured to serve them, for the "Tokens" integration tests. Every call opens a
// fresh connection, so a call never depends on what an earlier one did to its connection (a
// revoke closes the keep-alive connections of the revoked token).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/daemon_process.h"
#include "support/http_client.h"
#include "support/lake_process.h"

namespace fathom::test {

// "Authorization: Bearer <token>\r\n", a raw header line for request()/fetch().
std::string bearer(std::string_view token);

// What a call answered: the status, the body parsed as JSON (a JSON null if it is not JSON) and
// the whole response for headers and failure messages.
struct ApiReply {
  int status = 0;
  nlohmann::json body;
  Response response;

  std::string error() const;  // body["error"], or "" if there is none
  // "409 {"error":...}": for failure messages.
  std::string describe() const;
};

class TokenApi {
 public:
  TokenApi(uint16_t port, std::string token) : port_(port), token_(std::move(token)) {}

  uint16_t port() const { return port_; }
  const std::string& token() const { return token_; }

  // Any request with this token; `body` is sent as application/json when not empty.
  ApiReply call(std::string_view method, std::string_view path, std::string_view body = "") const;

  // GET /v1/tokens, with ?status=<status> when `status` is not empty.
  ApiReply list(std::string_view status = "") const;
  // POST /v1/tokens {"name", "scopes"} plus the members of `extra` (expires_in, expires_at...).
  ApiReply mint(std::string_view name, const std::vector<std::string>& scopes,
                const nlohmann::json& extra = nlohmann::json::object()) const;
  ApiReply show(std::string_view token_id) const;
  ApiReply revoke(std::string_view token_id) const;
  // POST /v1/tokens/{id}/rotate, with {"grace_seconds": N} when `grace_seconds` is set, else {}.
  ApiReply rotate(std::string_view token_id, std::optional<int64_t> grace_seconds = {}) const;
  ApiReply me() const;

 private:
  uint16_t port_;
  std::string token_;
};

// A config with the admin plugin and the default scope-rules table, forwarding to the lake on
// `lake_port`. The failure limiter is set high enough that a test presenting many bad tokens
// on purpose is not slowed by it; the test of the limiter sets its own "limits".
nlohmann::json token_config(uint16_t lake_port);

// The bootstrap admin token the daemon wrote to <state_dir>/bootstrap-token, without the line
// end. Waits up to `timeout` for the file to appear; throws std::runtime_error if it does not.
std::string read_bootstrap_token(const std::string& state_dir,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(10));
std::string state_dir_of(const DaemonProcess& daemon);

// A lake, the daemon in front of it serving the token routes, and the bootstrap admin token.
struct TokenProxy {
  // `adjust` may change the config made by token_config() before the daemon starts.
  explicit TokenProxy(const std::function<void(nlohmann::json&)>& adjust = {});

  uint16_t port() const { return daemon.port(); }
  TokenApi admin() const { return TokenApi(port(), admin_token); }
  // A token's client: the same calls made with `token`.
  TokenApi as(std::string token) const { return TokenApi(port(), std::move(token)); }

  LakeProcess lake;  // declared first: started before the daemon, stopped after it
  DaemonProcess daemon;
  std::string admin_token;
};

}  // namespace fathom::test
