#include "support/redis_fleet.h"

#include <filesystem>
#include <stdexcept>
#include <thread>

namespace fathom::test {

namespace fs = std::filesystem;

nlohmann::json redis_token_config(uint16_t lake_port, const RedisServer& redis,
                                  std::string_view prefix) {
  nlohmann::json config = token_config(lake_port);
  config["store"] = {{"backend", "redis"}, {"url", redis.url()}, {"prefix", std::string(prefix)}};
  return config;
}

std::string shared_key_state_dir(const TempDir& folder, const std::string& key_file) {
  const std::string state = folder.file("state");
  fs::create_directories(state);
  fs::permissions(state, fs::perms::owner_all, fs::perm_options::replace);
  const std::string copy = state + "/token-hash.key";
  fs::copy_file(key_file, copy, fs::copy_options::overwrite_existing);
  fs::permissions(copy, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  return state;
}

std::string key_file_of(const DaemonProcess& daemon) {
  return state_dir_of(daemon) + "/token-hash.key";
}

RedisFleet::RedisFleet(const RedisServer& redis, size_t count,
                       const std::function<void(nlohmann::json&)>& adjust) {
  if (count == 0) throw std::invalid_argument("RedisFleet needs at least one daemon");
  nlohmann::json config = redis_token_config(lake_.port(), redis);
  if (adjust) adjust(config);
  daemons_.push_back(std::make_unique<DaemonProcess>(config));
  admin_token_ = read_bootstrap_token(state_dir_of(*daemons_.front()));
  const std::string key = key_file_of(*daemons_.front());
  for (size_t i = 1; i < count; ++i) {
    folders_.push_back(std::make_unique<TempDir>());
    nlohmann::json other = config;
    other["state_dir"] = shared_key_state_dir(*folders_.back(), key);
    daemons_.push_back(std::make_unique<DaemonProcess>(other));
  }
}

bool wait_ready_status(uint16_t port, int status, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    try {
      if (fetch(port, "GET", "/readyz", "", "", std::chrono::seconds(5)).status == status) {
        return true;
      }
    } catch (const std::exception&) {
      // No answer in time counts as "not yet"; the deadline decides.
    }
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool is_store_unavailable(const Response& r) {
  return r.status == 503 && r.json().is_object() &&
         r.json().value("error", "") == "store_unavailable";
}

}  // namespace fathom::test
