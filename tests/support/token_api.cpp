#include "support/token_api.h"

#include <stdexcept>
#include <thread>

#include "support/temp_dir.h"

namespace fathom::test {

std::string bearer(std::string_view token) {
  return "Authorization: Bearer " + std::string(token) + "\r\n";
}

std::string ApiReply::error() const {
  return body.is_object() && body.contains("error") && body["error"].is_string()
             ? body["error"].get<std::string>()
             : std::string();
}

std::string ApiReply::describe() const {
  return std::to_string(status) + " " + response.body;
}

ApiReply TokenApi::call(std::string_view method, std::string_view path,
                        std::string_view body) const {
  std::string headers = bearer(token_);
  if (!body.empty()) headers += "Content-Type: application/json\r\n";
  ApiReply reply;
  reply.response = fetch(port_, method, path, headers, body);
  reply.status = reply.response.status;
  reply.body = reply.response.json();
  return reply;
}

ApiReply TokenApi::list(std::string_view status) const {
  std::string path = "/v1/tokens";
  if (!status.empty()) path += "?status=" + std::string(status);
  return call("GET", path);
}

ApiReply TokenApi::mint(std::string_view name, const std::vector<std::string>& scopes,
                        const nlohmann::json& extra) const {
  nlohmann::json body = extra;
  body["name"] = name;
  body["scopes"] = scopes;
  return call("POST", "/v1/tokens", body.dump());
}

ApiReply TokenApi::show(std::string_view token_id) const {
  return call("GET", "/v1/tokens/" + std::string(token_id));
}

ApiReply TokenApi::revoke(std::string_view token_id) const {
  return call("DELETE", "/v1/tokens/" + std::string(token_id));
}

ApiReply TokenApi::rotate(std::string_view token_id, std::optional<int64_t> grace_seconds) const {
  nlohmann::json body = nlohmann::json::object();
  if (grace_seconds) body["grace_seconds"] = *grace_seconds;
  return call("POST", "/v1/tokens/" + std::string(token_id) + "/rotate", body.dump());
}

ApiReply TokenApi::me() const {
  return call("GET", "/v1/auth/me");
}

nlohmann::json token_config(uint16_t lake_port) {
  return {
      {"workers", 1},
      {"upstream", {{"url", "http://127.0.0.1:" + std::to_string(lake_port)}}},
      {"plugins", nlohmann::json::array({{{"name", "admin"}}, {{"name", "scope-rules"}}})},
      {"limits", {{"auth_failures_per_minute", 100000}, {"auth_failure_burst", 100000}}},
      {"log", {{"level", "info"}}},
  };
}

std::string read_bootstrap_token(const std::string& state_dir, std::chrono::milliseconds timeout) {
  const std::string path = state_dir + "/bootstrap-token";
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::string text = read_file(path);
    // The daemon may still be writing it: only a whole line counts.
    size_t end = text.find('\n');
    if (end != std::string::npos && end > 0) return text.substr(0, end);
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("no token line in " + path + " (it holds \"" + text + "\")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string state_dir_of(const DaemonProcess& daemon) {
  return daemon.config()["state_dir"].get<std::string>();
}

namespace {

nlohmann::json adjusted(uint16_t lake_port, const std::function<void(nlohmann::json&)>& adjust) {
  nlohmann::json config = token_config(lake_port);
  if (adjust) adjust(config);
  return config;
}

}  // namespace

TokenProxy::TokenProxy(const std::function<void(nlohmann::json&)>& adjust)
    : daemon(adjusted(lake.port(), adjust)),
      admin_token(read_bootstrap_token(state_dir_of(daemon))) {}

}  // namespace fathom::test
