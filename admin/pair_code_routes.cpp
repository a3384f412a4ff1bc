// Every write here checks what it can first (body, id format, no escalation, an audit trail that
// can be written), makes one store write, and answers once the write and its audit events are
// durable. Redeeming is the store's single atomic step, so of many concurrent tries of one code
// exactly one gets the token.

#include "pair_code_routes.h"

#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "body_fields.h"
#include "pair_code_json.h"
#include "pair_code_requests.h"
#include "responses.h"
#include "rfc3339.h"
#include "token_json.h"
#include "token_requests.h"

namespace fathom::admin {

namespace {

std::string joined(const std::vector<std::string>& scopes) {
  std::string out;
  for (const std::string& s : scopes) out += (out.empty() ? "" : " ") + s;
  return out;
}

Response pair_code_not_found(std::string_view id) {
  // A malformed id is not echoed: it may be a code pasted into the wrong place.
  if (!is_pair_code_id(id)) {
    return error_response(404, "not_found",
                          "No pair code with that id; pair code ids look like pc_ followed by 16 "
                          "letters and digits.");
  }
  return error_response(404, "not_found",
                        "No pending pair code with id " + std::string(id) +
                            "; it was used, cancelled or has expired, or never existed.");
}

// One message for unknown, used, cancelled, expired and malformed codes alike: telling them
// apart would help whoever is guessing.
Response invalid_grant() {
  return error_response(400, "invalid_grant",
                        "The pair code is unknown, used, cancelled or expired; ask for a new one.");
}

Response rate_limited(int seconds) {
  Response response = error_response(429, "rate_limited",
                                     "Too many failed attempts from this address; try again in " +
                                         std::to_string(seconds) + " seconds.");
  response.headers.emplace_back("Retry-After", std::to_string(seconds));
  return response;
}

}  // namespace

PairCodeRoutes::PairCodeRoutes(TokenStore& store, Credentials& credentials, FailureLimit& limit,
                               AuditLog* audit, Clock clock, EventLog log)
    : store_(store),
      credentials_(credentials),
      limit_(limit),
      audit_(audit, log),
      clock_(std::move(clock)),
      log_(std::move(log)) {}

PairCodeRoutes::~PairCodeRoutes() {
  pending_.wait_idle();
}

void PairCodeRoutes::handle(const Request& request, std::string_view body,
                            std::shared_ptr<Responder> responder) {
  // As TokenRoutes::handle: nothing unexpected escapes onto the daemon's data path.
  try {
    dispatch(request, body, responder);
  } catch (const std::exception&) {
    responder->respond(internal_error());
  }
}

void PairCodeRoutes::dispatch(const Request& request, std::string_view body, const Reply& reply) {
  const std::optional<RouteMatch> match = match_route(request.path());
  const std::string_view method = request.method();
  const UnixTime now = clock_();
  if (match && match->kind == RouteKind::pair) {
    if (method == "POST") return redeem(request, body, now, reply);
    return reply->respond(method_not_allowed("POST"));
  }
  const Identity* caller = request.identity();
  if (caller == nullptr) return reply->respond(unauthenticated(false));
  const bool read = method == "GET" || method == "HEAD";
  if (match && match->kind == RouteKind::pair_codes) {
    if (read) return list(request.query(), now, reply);
    if (method == "POST") return create(*caller, facts_of(request), body, now, reply);
    return reply->respond(method_not_allowed("GET, HEAD, POST"));
  }
  if (match && match->kind == RouteKind::pair_code) {
    if (method == "DELETE") return cancel(facts_of(request), match->id, now, reply);
    return reply->respond(method_not_allowed("DELETE"));
  }
  reply->respond(error_response(
      404, "not_found",
      "There is no such pair-code route; see /v1/pair-codes, /v1/pair-codes/{id} and /v1/pair."));
}

void PairCodeRoutes::list(std::string_view query, UnixTime now, const Reply& reply) {
  if (!query.empty()) {
    const std::string_view key = query.substr(0, query.find_first_of("=&"));
    return reply->respond(
        invalid_request(shown_key(key) + ": unknown query parameter; /v1/pair-codes takes none."));
  }
  store_.list_pair_codes(
      now, [reply, t = pending_.hold()](StoreStatus status, std::vector<PairCodeRecord> codes) {
        if (status != StoreStatus::ok) return reply->respond(store_unavailable());
        Json list = Json::array();
        for (const PairCodeRecord& code : codes) list.push_back(pair_code_json(code));
        Json body = Json::object();
        body["pair_codes"] = std::move(list);
        reply->respond(json_response(200, body));
      });
}

void PairCodeRoutes::create(const Identity& caller, RequestFacts facts, std::string_view body,
                            UnixTime now, const Reply& reply) {
  Parsed<PairCodeRequest> request = parse_pair_code_request(body);
  if (!request.ok()) return reply->respond(invalid_request(request.error));
  if (const std::string* scope = missing_scope(caller, request.value.scopes)) {
    return reply->respond(insufficient_scope(
        *scope, "Your token does not hold \"" + *scope +
                    "\", so a pair code it makes cannot grant it; use a token that holds it."));
  }
  if (!audit_.writable()) return reply->respond(audit_unavailable());
  NewSecret code = credentials_.new_pair_code();
  PairCodeRecord record;
  record.pair_code_id = credentials_.new_pair_code_id();
  record.code_hash = std::move(code.secret_hash);
  if (code.token.empty() || record.code_hash.empty() || record.pair_code_id.empty()) {
    log_(LogLevel::error, "pair_code_issue_failed", "the daemon offered no new pair code or id");
    return reply->respond(internal_error());
  }
  record.name = std::move(request.value.name);
  record.scopes = std::move(request.value.scopes);
  record.created_at = now;
  record.expires_at = now + request.value.ttl_seconds;
  record.created_by = caller.token_id;
  PairCodeRecord sent = record;
  store_.create_pair_code(std::move(record), [this, reply, facts = std::move(facts),
                                              sent = std::move(sent), code = std::move(code.token),
                                              now, t = pending_.hold()](StoreResult result) {
    try {
      if (result.status == StoreStatus::unavailable) {
        return reply->respond(store_unavailable());
      }
      if (result.status != StoreStatus::ok) {
        // A clash of ids or hashes: a bug or a broken random source, not the client's doing.
        log_(LogLevel::error, "pair_code_create_failed", sent.pair_code_id + ": " + result.message);
        return reply->respond(internal_error());
      }
      const PairCodeRecord& created = result.pair_code ? *result.pair_code : sent;
      const std::string& id = created.pair_code_id;
      log_(LogLevel::info, "pair_code_created",
           id + " created by " + created.created_by + " with scopes " + joined(created.scopes) +
               "; expires at " + format_time(created.expires_at));
      AuditEvent event = change_event("pair_code.created", facts, now, 201);
      event.pair_code_id = id;
      event.detail =
          "scopes " + joined(created.scopes) + "; expires at " + format_time(created.expires_at);
      audit_.acknowledge({std::move(event)},
                         json_response(201, issued_pair_code_json(created, code)),
                         unaudited("Pair code " + id + " was created",
                                   "the code is withheld. Cancel " + id +
                                       " (or let it expire) and create another once the "
                                       "audit trail is writable."),
                         reply, t);
    } catch (const std::exception&) {
      reply->respond(internal_error());
    }
  });
}

void PairCodeRoutes::cancel(RequestFacts facts, std::string_view pair_code_id, UnixTime now,
                            const Reply& reply) {
  if (!is_pair_code_id(pair_code_id)) return reply->respond(pair_code_not_found(pair_code_id));
  if (!audit_.writable()) return reply->respond(audit_unavailable());
  const std::string id(pair_code_id);
  store_.cancel_pair_code(
      id, now,
      [this, reply, id, facts = std::move(facts), now, t = pending_.hold()](StoreResult result) {
        try {
          switch (result.status) {
            case StoreStatus::ok: {
              if (!result.pair_code) return reply->respond(internal_error());
              log_(LogLevel::info, "pair_code_cancelled",
                   id + " cancelled by " + facts.actor_token_id);
              AuditEvent event = change_event("pair_code.cancelled", facts, now, 200);
              event.pair_code_id = id;
              return audit_.acknowledge({std::move(event)},
                                        json_response(200, pair_code_json(*result.pair_code)),
                                        unaudited("Pair code " + id + " was cancelled",
                                                  "the cancellation stands. See the server log for "
                                                  "why the audit trail failed."),
                                        reply, t);
            }
            case StoreStatus::not_found:
              return reply->respond(pair_code_not_found(id));
            case StoreStatus::unavailable:
              return reply->respond(store_unavailable());
            case StoreStatus::conflict:
            case StoreStatus::invalid_grant:
              break;
          }
          log_(LogLevel::error, "pair_code_cancel_failed", id + ": " + result.message);
          reply->respond(internal_error());
        } catch (const std::exception&) {
          reply->respond(internal_error());
        }
      });
}

Response PairCodeRoutes::refuse_code(const std::string& client) {
  limit_.count_failure(client);
  log_(LogLevel::warn, "pair_code_refused", "a wrong pair code from " + client);
  return invalid_grant();
}

void PairCodeRoutes::redeem(const Request& request, std::string_view body, UnixTime now,
                            const Reply& reply) {
  const std::string client(request.client_address());
  // Before the body is even read: an address over the limit learns nothing about any code.
  if (const int wait = limit_.retry_after(client); wait > 0) {
    return reply->respond(rate_limited(wait));
  }
  const Parsed<std::string> code = parse_redeem_request(body);
  if (!code.ok()) return reply->respond(invalid_request(code.error));
  // A code that cannot be one is refused like an unknown one, without asking the store.
  if (!is_pair_code(code.value)) return reply->respond(refuse_code(client));
  if (!audit_.writable()) return reply->respond(audit_unavailable());

  NewSecret secret = credentials_.new_secret();
  TokenRecord token;
  token.token_id = credentials_.new_token_id();
  token.secret_hash = std::move(secret.secret_hash);
  token.created_at = now;  // the store judges the code's expiry at this time
  const std::string code_hash = credentials_.hash_secret(code.value);
  if (secret.token.empty() || token.secret_hash.empty() || token.token_id.empty() ||
      code_hash.empty()) {
    log_(LogLevel::error, "token_issue_failed", "the daemon offered no new secret or token id");
    return reply->respond(internal_error());
  }
  // The redeem is made by the code, not by a token: even if the client sent one, the events
  // have no actor, and the new token's created_by is the code's creator.
  RequestFacts facts = facts_of(request);
  facts.actor_token_id.clear();
  store_.redeem_pair_code(
      code_hash, std::move(token),
      [this, reply, client, facts = std::move(facts), secret = std::move(secret.token), now,
       t = pending_.hold()](StoreResult result) {
        try {
          switch (result.status) {
            case StoreStatus::ok: {
              if (!result.token || !result.pair_code) return reply->respond(internal_error());
              const TokenRecord& created = *result.token;
              const std::string& pc = result.pair_code->pair_code_id;
              log_(LogLevel::info, "pair_code_redeemed",
                   pc + " redeemed for " + created.token_id + " (created by " + created.created_by +
                       ") from " + client);
              AuditEvent redeemed = change_event("pair_code.redeemed", facts, now, 201);
              redeemed.pair_code_id = pc;
              redeemed.token_id = created.token_id;
              redeemed.detail = "redeemed for " + created.token_id;
              AuditEvent born = change_event("token.created", facts, now, 201);
              born.token_id = created.token_id;
              born.pair_code_id = pc;
              born.detail = "paired with " + pc + " made by " + created.created_by + "; scopes " +
                            joined(created.scopes);
              return audit_.acknowledge(
                  {std::move(redeemed), std::move(born)},
                  json_response(201, minted_token_json(created, secret, now)),
                  unaudited("The pair code was used and token " + created.token_id + " created",
                            "its secret is withheld. Ask for a new pair code once the audit "
                            "trail is writable."),
                  reply, t);
            }
            case StoreStatus::invalid_grant:
              return reply->respond(refuse_code(client));
            case StoreStatus::unavailable:
              return reply->respond(store_unavailable());
            case StoreStatus::not_found:
            case StoreStatus::conflict:
              break;
          }
          log_(LogLevel::error, "pair_code_redeem_failed", result.message);
          reply->respond(internal_error());
        } catch (const std::exception&) {
          reply->respond(internal_error());
        }
      });
}

}  // namespace fathom::admin
