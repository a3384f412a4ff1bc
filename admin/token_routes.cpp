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

TokenRoutes::TokenRoutes(TokenStore& store, Credentials& credentials, AuditLog* audit, Clock clock,
                         EventLog log)
    : store_(store),
      credentials_(credentials),
      audit_(audit, log),
      clock_(std::move(clock)),
      log_(std::move(log)) {}

TokenRoutes::~TokenRoutes() {
  // Before any member goes: a callback in flight still uses them.
  pending_.wait_idle();
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
      if (method == "POST") return mint(*caller, facts_of(request), body, now, reply);
      return reply->respond(method_not_allowed("GET, HEAD, POST"));
    case RouteKind::token:
      if (read) return show(match->id, now, reply);
      if (method == "DELETE") return revoke(*caller, facts_of(request), match->id, now, reply);
      return reply->respond(method_not_allowed("GET, HEAD, DELETE"));
    case RouteKind::rotate:
      if (method == "POST") return rotate(*caller, facts_of(request), match->id, body, now, reply);
      return reply->respond(method_not_allowed("POST"));
    case RouteKind::me:
      if (read) return me(*caller, now, reply);
      return reply->respond(method_not_allowed("GET, HEAD"));
    default:
      // Not a token route: AdminRoutes sends only token routes here.
      return reply->respond(error_response(404, "not_found", "There is no such token route."));
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
