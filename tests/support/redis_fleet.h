// Several daemons sharing one Redis token store, as an operator runs them: one lake behind them
// all, each daemon with its own state_dir holding a copy of the first one's token-hash.key (the
// key every instance must share), and the bootstrap admin token the first one minted.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/daemon_process.h"
#include "support/http_client.h"
#include "support/lake_process.h"
#include "support/redis_server.h"
#include "support/temp_dir.h"
#include "support/token_api.h"

namespace fathom::test {

// token_config() with the Redis store: {"store": {"backend": "redis", "url", "prefix"}}.
nlohmann::json redis_token_config(uint16_t lake_port, const RedisServer& redis,
                                  std::string_view prefix = "fathom:");

// A fresh state_dir for another instance on the same Redis: `folder`/state (0700) with a copy
// of `key_file`. Returns its path.
std::string shared_key_state_dir(const TempDir& folder, const std::string& key_file);

std::string key_file_of(const DaemonProcess& daemon);  // <state_dir>/token-hash.key

class RedisFleet {
 public:
  // Starts `count` daemons on `redis` (the first one on its own key, the others on copies of it),
  // each with redis_token_config() changed by `adjust`, and reads the bootstrap token.
  RedisFleet(const RedisServer& redis, size_t count,
             const std::function<void(nlohmann::json&)>& adjust = {});

  size_t size() const { return daemons_.size(); }
  DaemonProcess& daemon(size_t i) { return *daemons_.at(i); }
  uint16_t port(size_t i) const { return daemons_.at(i)->port(); }
  const std::string& admin_token() const { return admin_token_; }
  TokenApi admin(size_t i) const { return TokenApi(port(i), admin_token_); }
  const LakeProcess& lake() const { return lake_; }

 private:
  LakeProcess lake_;  // first: started before the daemons, stopped after them
  std::vector<std::unique_ptr<TempDir>> folders_;  // the state_dirs of daemons 1..n-1
  std::vector<std::unique_ptr<DaemonProcess>> daemons_;
  std::string admin_token_;
};

// GET /readyz until it answers `status` or `timeout` passes; true if it did.
bool wait_ready_status(uint16_t port, int status, std::chrono::milliseconds timeout);

// "503 store_unavailable" as API.md gives it: the status and the error code.
bool is_store_unavailable(const Response& r);

}  // namespace fathom::test
