// The token routes of API.md and /v1/auth/me (token_routes.cpp: dispatch and reads;
// token_changes.cpp: mint, revoke, rotate), as a plain class: it takes the store, a source of
// new ids and secrets, a clock and a log, so unit tests drive it against a real store without the
// daemon. plugin.cpp only wires it to the Host.
//
// Threads: handle() runs on worker threads, several at once; the class keeps no per-request
// state. Store writes call back on a store thread and answer from there (respond() is
// thread-safe). The destructor waits for writes in flight, so a reload never frees the routes
// under a pending callback.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fathom/plugin.h"
#include "fathom/token_store.h"

namespace fathom::admin {

enum class RouteKind : uint8_t {
  tokens,       // /v1/tokens
  token,        // /v1/tokens/{id}
  rotate,       // /v1/tokens/{id}/rotate
  other_token,  // anything else under /v1/tokens/: claimed, so it is never forwarded, then 404
  me,           // /v1/auth/me
};

struct RouteMatch {
  RouteKind kind;
  std::string_view token_id;  // for token and rotate; a view into the path
};

std::optional<RouteMatch> match_route(std::string_view path);

// What claim() answers: tokens:manage for everything under /v1/tokens, any valid token for
// /v1/auth/me, nullopt for paths this plugin does not serve. The method does not matter here: a
// wrong method is answered 405 by handle(), after the caller has proved it may use the path.
std::optional<PolicyDecision> claim_route(std::string_view path);

// New token ids and secrets: the Host's in the daemon, a deterministic one in tests.
class Credentials {
 public:
  virtual ~Credentials() = default;
  virtual NewSecret new_secret() = 0;
  virtual std::string new_token_id() = 0;
};

class TokenRoutes {
 public:
  using Clock = std::function<UnixTime()>;
  // One line per admin change: event "token_created", "token_revoked" or "token_rotated" and a
  // message with token ids; errors as "token_*_failed". Never a secret.
  using EventLog =
      std::function<void(LogLevel level, std::string_view event, std::string_view message)>;

  TokenRoutes(TokenStore& store, Credentials& credentials, Clock clock, EventLog log);
  ~TokenRoutes();
  TokenRoutes(const TokenRoutes&) = delete;
  TokenRoutes& operator=(const TokenRoutes&) = delete;

  // Answers exactly once through `responder`, now or from a store thread. Never throws.
  void handle(const Request& request, std::string_view body, std::shared_ptr<Responder> responder);

 private:
  using Reply = std::shared_ptr<Responder>;
  using Fetched = std::function<void(StoreStatus, std::optional<TokenRecord>)>;

  void dispatch(const Request& request, std::string_view body, const Reply& reply);
  void list(std::string_view query, UnixTime now, const Reply& reply);
  void mint(const Identity& caller, std::string_view body, UnixTime now, const Reply& reply);
  void show(std::string_view token_id, UnixTime now, const Reply& reply);
  void revoke(const Identity& caller, std::string_view token_id, UnixTime now, const Reply& reply);
  void rotate(const Identity& caller, std::string_view token_id, std::string_view body,
              UnixTime now, const Reply& reply);
  void me(const Identity& caller, UnixTime now, const Reply& reply);
  void rotate_token(const Identity& caller, const TokenRecord& old,
                    std::optional<int64_t> grace_seconds, UnixTime now, const Reply& reply);
  // Gives `record` a new token id and secret hash; returns the secret, or "" (logged) when the
  // daemon offered none.
  std::string issue(TokenRecord& record);

  void fetch(std::string_view token_id, const Reply& reply, Fetched next);
  // Held by every store callback; the destructor waits until none is left.
  struct Tracker;
  std::shared_ptr<Tracker> track();

  TokenStore& store_;
  Credentials& credentials_;
  Clock clock_;
  EventLog log_;

  std::mutex pending_mutex_;
  std::condition_variable pending_done_;
  size_t pending_ = 0;
};

}  // namespace fathom::admin
