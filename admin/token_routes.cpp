// Dispatch, the reads (list, show, me) and the bookkeeping shared by every route. The writes
// (mint, revoke, rotate) are in token_changes.cpp.

#include "token_routes.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "responses.h"
#include "token_json.h"
#include "token_requests.h"

namespace fathom::admin {

namespace {

// claim() hands out spans into these, so they live as long as the plugin.
const std::vector<std::string> kManageScopes{"tokens:manage"};
const std::vector<std::string> kAnyValidToken{};

constexpr std::string_view kTokensPrefix = "/v1/tokens";

// As the daemon answers it: the challenge carries error="invalid_token" only when a token was
// presented.
Response unauthenticated(bool token_presented) {
  Response response = error_response(401, "invalid_token",
                                     "Send a valid token as \"Authorization: Bearer <token>\".");
  response.headers.emplace_back("WWW-Authenticate",
                                token_presented ? R"(Bearer realm="fathom", error="invalid_token")"
                                                : R"(Bearer realm="fathom")");
  return response;
}

}  // namespace

std::optional<RouteMatch> match_route(std::string_view path) {
  if (path == "/v1/auth/me") return RouteMatch{RouteKind::me, {}};
  if (!path.starts_with(kTokensPrefix)) return std::nullopt;
  std::string_view rest = path.substr(kTokensPrefix.size());
  if (rest.empty()) return RouteMatch{RouteKind::tokens, {}};
  if (rest[0] != '/') return std::nullopt;  // /v1/tokensfoo is someone else's
  rest.remove_prefix(1);
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return RouteMatch{RouteKind::token, rest};
  if (rest.substr(slash) == "/rotate") return RouteMatch{RouteKind::rotate, rest.substr(0, slash)};
  return RouteMatch{RouteKind::other_token, {}};
}

std::optional<PolicyDecision> claim_route(std::string_view path) {
  const std::optional<RouteMatch> match = match_route(path);
  if (!match) return std::nullopt;
  if (match->kind == RouteKind::me) {
    return PolicyDecision::require(kAnyValidToken, "admin: /v1/auth/me needs any valid token");
  }
  return PolicyDecision::require(kManageScopes, "admin: token routes need tokens:manage");
}

struct TokenRoutes::Tracker {
  explicit Tracker(TokenRoutes* r) : routes(r) {}
  Tracker(const Tracker&) = delete;
  Tracker& operator=(const Tracker&) = delete;
  ~Tracker() {
    std::lock_guard lock(routes->pending_mutex_);
    if (--routes->pending_ == 0) routes->pending_done_.notify_all();
  }
  TokenRoutes* routes;
};

TokenRoutes::TokenRoutes(TokenStore& store, Credentials& credentials, Clock clock, EventLog log)
    : store_(store), credentials_(credentials), clock_(std::move(clock)), log_(std::move(log)) {}

TokenRoutes::~TokenRoutes() {
  // The store promises to call every `done`; waiting for them keeps a reload from unloading the
  // code a pending callback is about to run.
  std::unique_lock lock(pending_mutex_);
  pending_done_.wait(lock, [this] { return pending_ == 0; });
}

std::shared_ptr<TokenRoutes::Tracker> TokenRoutes::track() {
  // Allocate first: if that throws, nothing was counted that no Tracker will uncount.
  auto tracker = std::make_shared<Tracker>(this);
  std::lock_guard lock(pending_mutex_);
  ++pending_;
  return tracker;
}

void TokenRoutes::handle(const Request& request, std::string_view body,
                         std::shared_ptr<Responder> responder) {
  // The daemon's data path has no use for an exception: turn anything unexpected (allocation
  // failure, a bug) into a 500 here. respond() ignores a second call, so this is safe even if
  // the route had answered already.
  try {
    dispatch(request, body, responder);
  } catch (const std::exception&) {
    responder->respond(internal_error());
  }
}

void TokenRoutes::dispatch(const Request& request, std::string_view body, const Reply& reply) {
  const std::optional<RouteMatch> match = match_route(request.path());
  if (!match || match->kind == RouteKind::other_token) {
    return reply->respond(
        error_response(404, "not_found",
                       "There is no such token route; see /v1/tokens, /v1/tokens/{id} and "
                       "/v1/tokens/{id}/rotate."));
  }
  const Identity* caller = request.identity();
  if (caller == nullptr) return reply->respond(unauthenticated(false));
  const std::string_view method = request.method();
  // The daemon drops the body of a HEAD answer, so HEAD is GET here.
  const bool read = method == "GET" || method == "HEAD";
  const UnixTime now = clock_();
  switch (match->kind) {
    case RouteKind::tokens:
      if (read) return list(request.query(), now, reply);
      if (method == "POST") return mint(*caller, body, now, reply);
      return reply->respond(method_not_allowed("GET, HEAD, POST"));
    case RouteKind::token:
      if (read) return show(match->token_id, now, reply);
      if (method == "DELETE") return revoke(*caller, match->token_id, now, reply);
      return reply->respond(method_not_allowed("GET, HEAD, DELETE"));
    case RouteKind::rotate:
      if (method == "POST") return rotate(*caller, match->token_id, body, now, reply);
      return reply->respond(method_not_allowed("POST"));
    case RouteKind::me:
      if (read) return me(*caller, now, reply);
      return reply->respond(method_not_allowed("GET, HEAD"));
    case RouteKind::other_token:
      break;
  }
}

void TokenRoutes::list(std::string_view query, UnixTime now, const Reply& reply) {
  const Parsed<StatusFilter> filter = parse_list_query(query);
  if (!filter.ok()) return reply->respond(invalid_request(filter.error));
  store_.list([reply, filter = filter.value, now, t = track()](StoreStatus status,
                                                               std::vector<TokenRecord> records) {
    if (status != StoreStatus::ok) return reply->respond(store_unavailable());
    // The store lists oldest first already; a stable sort keeps that promise whatever the
    // backend, without reordering tokens created in the same second.
    std::stable_sort(
        records.begin(), records.end(),
        [](const TokenRecord& a, const TokenRecord& b) { return a.created_at < b.created_at; });
    Json tokens = Json::array();
    for (const TokenRecord& record : records) {
      if (status_matches(filter, record, now)) tokens.push_back(token_json(record, now));
    }
    Json body = Json::object();
    body["tokens"] = std::move(tokens);
    reply->respond(json_response(200, body));
  });
}

void TokenRoutes::show(std::string_view token_id, UnixTime now, const Reply& reply) {
  if (!is_token_id(token_id)) return reply->respond(token_not_found(token_id));
  store_.get(token_id, [reply, id = std::string(token_id), now, t = track()](
                           StoreStatus status, const TokenRecord* record) {
    if (status != StoreStatus::ok || record == nullptr) {
      return reply->respond(read_failure(status, id));
    }
    reply->respond(json_response(200, token_json(*record, now)));
  });
}

void TokenRoutes::me(const Identity& caller, UnixTime now, const Reply& reply) {
  store_.get(caller.token_id,
             [reply, now, t = track()](StoreStatus status, const TokenRecord* record) {
               if (status == StoreStatus::unavailable) return reply->respond(store_unavailable());
               // Authenticated a moment ago and gone now: answer as for any unknown token.
               if (status != StoreStatus::ok || record == nullptr) {
                 return reply->respond(unauthenticated(true));
               }
               reply->respond(json_response(200, token_json(*record, now)));
             });
}

void TokenRoutes::fetch(std::string_view token_id, const Reply& reply, Fetched next) {
  // Runs `next` with a copy of the record, but never from inside the store's callback when the
  // store answers inline: the file store may hold its index lock while it calls back, and `next`
  // goes on to write. An asynchronous store calls back on its own thread, and `next` runs there.
  struct Pending {
    std::mutex mutex;
    bool returned = false;
    bool answered = false;
    StoreStatus status = StoreStatus::unavailable;
    std::optional<TokenRecord> record;
    Fetched next;
    Reply reply;

    void run() {
      try {
        next(status, std::move(record));
      } catch (const std::exception&) {
        reply->respond(internal_error());
      }
    }
  };
  auto pending = std::make_shared<Pending>();
  pending->next = std::move(next);
  pending->reply = reply;
  store_.get(token_id, [pending, t = track()](StoreStatus status, const TokenRecord* record) {
    std::unique_lock lock(pending->mutex);
    pending->status = status;
    if (record != nullptr) pending->record = *record;
    pending->answered = true;
    if (!pending->returned) return;  // answered inline: the caller of get() goes on
    lock.unlock();
    pending->run();
  });
  std::unique_lock lock(pending->mutex);
  pending->returned = true;
  if (!pending->answered) return;  // the store's thread goes on when it answers
  lock.unlock();
  pending->run();
}

}  // namespace fathom::admin
