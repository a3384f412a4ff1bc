// The token routes that change something: mint, revoke, rotate. Each checks what it can before
// touching the store (body, id format, no escalation, an audit trail that can be written), makes
// one write, and answers once the change and its audit events are durable (change_audit.h).

#include <algorithm>
#include <exception>
#include <utility>

#include "responses.h"
#include "rfc3339.h"
#include "token_json.h"
#include "token_requests.h"
#include "token_routes.h"

namespace fathom::admin {

namespace {

std::string joined(const std::vector<std::string>& scopes) {
  std::string out;
  for (const std::string& s : scopes) out += (out.empty() ? "" : " ") + s;
  return out;
}

// One pair_code.cancelled per code the store cancelled with its creator, by the same actor as the
// revocation, so that the trail says why a code someone holds stopped working.
void append_cancelled(std::vector<AuditEvent>& events, const std::vector<PairCodeRecord>& codes,
                      const RequestFacts& facts, UnixTime now, const std::string& creator) {
  for (const PairCodeRecord& code : codes) {
    AuditEvent event = change_event("pair_code.cancelled", facts, now, 200);
    event.pair_code_id = code.pair_code_id;
    event.token_id = creator;
    event.detail = "its creator " + creator + " was revoked";
    events.push_back(std::move(event));
  }
}

}  // namespace

std::string TokenRoutes::issue(TokenRecord& record) {
  NewSecret secret = credentials_.new_secret();
  record.token_id = credentials_.new_token_id();
  record.secret_hash = std::move(secret.secret_hash);
  if (secret.token.empty() || record.secret_hash.empty() || record.token_id.empty()) {
    log_(LogLevel::error, "token_issue_failed", "the daemon offered no new secret or token id");
    return {};
  }
  return std::move(secret.token);
}

void TokenRoutes::mint(const Identity& caller, RequestFacts facts, std::string_view body,
                       UnixTime now, const Reply& reply) {
  Parsed<MintRequest> request = parse_mint_request(body, now);
  if (!request.ok()) return reply->respond(invalid_request(request.error));
  if (const std::string* scope = missing_scope(caller, request.value.scopes)) {
    return reply->respond(insufficient_scope(
        *scope, "Your token does not hold \"" + *scope +
                    "\", so it cannot grant it; mint this token with a token that holds it."));
  }
  if (!audit_.writable()) return reply->respond(audit_unavailable());
  TokenRecord record;
  std::string token = issue(record);
  if (token.empty()) return reply->respond(internal_error());
  record.name = std::move(request.value.name);
  record.scopes = std::move(request.value.scopes);
  record.created_at = now;
  record.created_by = caller.token_id;
  record.expires_at = request.value.expires_at;
  TokenRecord sent = record;
  store_.create(
      std::move(record), [this, reply, facts = std::move(facts), sent = std::move(sent),
                          token = std::move(token), now, t = track()](StoreResult result) {
        try {
          if (result.status == StoreStatus::unavailable) return reply->respond(store_unavailable());
          if (result.status != StoreStatus::ok) {
            // A clash of ids or hashes: a bug or a broken random source, not the client's doing.
            log_(LogLevel::error, "token_create_failed", sent.token_id + ": " + result.message);
            return reply->respond(internal_error());
          }
          const TokenRecord& created = result.token ? *result.token : sent;
          log_(LogLevel::info, "token_created",
               created.token_id + " created by " + created.created_by + " with scopes " +
                   joined(created.scopes));
          AuditEvent event = change_event("token.created", facts, now, 201);
          event.token_id = created.token_id;
          event.detail = "scopes " + joined(created.scopes);
          audit_.acknowledge({std::move(event)},
                             json_response(201, minted_token_json(created, token, now)),
                             unaudited("Token " + created.token_id + " was created",
                                       "its secret is withheld. Revoke " + created.token_id +
                                           " and mint again once the audit trail is writable."),
                             reply, t);
        } catch (const std::exception&) {
          reply->respond(internal_error());
        }
      });
}

void TokenRoutes::revoke(const Identity& caller, RequestFacts facts, std::string_view token_id,
                         UnixTime now, const Reply& reply) {
  if (!is_token_id(token_id)) return reply->respond(token_not_found(token_id));
  const std::string id(token_id);
  fetch(id, reply,
        [this, reply, id, caller, facts = std::move(facts), now](StoreStatus status,
                                                                 std::optional<TokenRecord> old) {
          if (status != StoreStatus::ok || !old) return reply->respond(read_failure(status, id));
          // Before the idempotent answer: whether a caller may act on a token does not depend on
          // the token's state.
          if (const std::string* scope = authority_lacking(caller, *old)) {
            return reply->respond(insufficient_scope(
                *scope, "Your token does not hold \"" + *scope + "\", which token " + id +
                            " holds, so it cannot revoke it; use a token "
                            "that holds it."));
          }
          // Idempotent without a write (and without an audit event): a second DELETE answers
          // with the record as it is.
          if (old->revoked()) return reply->respond(json_response(200, token_json(*old, now)));
          if (!audit_.writable()) return reply->respond(audit_unavailable());
          store_.revoke(id, now, [this, reply, id, facts, now, t = track()](StoreResult result) {
            try {
              switch (result.status) {
                case StoreStatus::ok: {
                  if (!result.token) return reply->respond(internal_error());
                  log_(LogLevel::info, "token_revoked", id + " revoked by " + facts.actor_token_id);
                  AuditEvent event = change_event("token.revoked", facts, now, 200);
                  event.token_id = id;
                  std::vector<AuditEvent> events{std::move(event)};
                  append_cancelled(events, result.cancelled_pair_codes, facts, now, id);
                  return audit_.acknowledge(
                      std::move(events), json_response(200, token_json(*result.token, now)),
                      unaudited("Token " + id + " was revoked",
                                "the revocation stands. See the server log for why the audit "
                                "trail failed."),
                      reply, t);
                }
                case StoreStatus::not_found:
                  return reply->respond(token_not_found(id));
                case StoreStatus::conflict:
                  return reply->respond(conflict(
                      "Token " + id +
                      " is the last lasting admin token; mint another admin token without an "
                      "expiry (or one more than 24 hours away) first, then revoke this one."));
                case StoreStatus::unavailable:
                  return reply->respond(store_unavailable());
                case StoreStatus::invalid_grant:  // a pair-code answer; not one for a revoke
                  return reply->respond(internal_error());
              }
            } catch (const std::exception&) {
              reply->respond(internal_error());
            }
          });
        });
}

void TokenRoutes::rotate(const Identity& caller, RequestFacts facts, std::string_view token_id,
                         std::string_view body, UnixTime now, const Reply& reply) {
  const Parsed<RotateRequest> request = parse_rotate_request(body);
  if (!request.ok()) return reply->respond(invalid_request(request.error));
  if (!is_token_id(token_id)) return reply->respond(token_not_found(token_id));
  const std::string id(token_id);
  fetch(id, reply,
        [this, reply, id, caller, facts = std::move(facts), grace = request.value.grace_seconds,
         now](StoreStatus status, std::optional<TokenRecord> old) {
          if (status != StoreStatus::ok || !old) return reply->respond(read_failure(status, id));
          rotate_token(caller, facts, *old, grace, now, reply);
        });
}

void TokenRoutes::rotate_token(const Identity& caller, RequestFacts facts, const TokenRecord& old,
                               std::optional<int64_t> grace, UnixTime now, const Reply& reply) {
  const std::string& id = old.token_id;
  // First, as for a revoke: what a caller may act on does not depend on the token's state.
  if (const std::string* scope = authority_lacking(caller, old)) {
    return reply->respond(insufficient_scope(
        *scope, "Your token does not hold \"" + *scope + "\", which token " + id +
                    " holds, so it cannot rotate it; use a token that holds it."));
  }
  if (!old.active(now)) {
    return reply->respond(conflict("Token " + id + " is " +
                                   (old.revoked() ? "revoked" : "expired") +
                                   "; only an active token can be rotated. Mint a new one "
                                   "instead."));
  }
  // A second rotation would fork the chain (rotated_to keeps one successor), and is most often a
  // retry whose first answer was lost: point at the successor rather than mint another.
  if (!old.rotated_to.empty()) {
    return reply->respond(conflict("Token " + id + " was already rotated to " + old.rotated_to +
                                   "; rotate " + old.rotated_to + " instead, or revoke " + id +
                                   "."));
  }
  // Without a grace the old token keeps its expiry; with one it expires then, but never later
  // than it would have anyway: rotating must not lengthen a token's life.
  std::optional<UnixTime> old_expires_at;
  if (grace && (!old.expires_at || now + *grace < *old.expires_at)) old_expires_at = now + *grace;

  if (!audit_.writable()) return reply->respond(audit_unavailable());
  TokenRecord replacement;
  std::string token = issue(replacement);
  if (token.empty()) return reply->respond(internal_error());
  replacement.name = old.name;
  replacement.scopes = old.scopes;
  replacement.created_at = now;  // the store judges the rotation at this time
  replacement.created_by = caller.token_id;
  replacement.rotated_from = id;
  // A token minted to last 90 days is replaced by one that lasts 90 days: the lifetime its owner
  // chose carries over, rather than the replacement living forever.
  if (old.expires_at) {
    replacement.expires_at = now + std::max<UnixTime>(*old.expires_at - old.created_at, 1);
  }
  TokenRecord sent = replacement;
  store_.rotate(
      id, std::move(replacement), old_expires_at,
      [this, reply, id, facts = std::move(facts), sent = std::move(sent), token = std::move(token),
       old_expires_at, now, t = track()](StoreResult result) {
        try {
          switch (result.status) {
            case StoreStatus::ok: {
              const TokenRecord& created = result.created ? *result.created : sent;
              const std::string old_fate =
                  "the old token " + (old_expires_at ? "expires at " + format_time(*old_expires_at)
                                                     : std::string("keeps its expiry"));
              log_(LogLevel::info, "token_rotated",
                   id + " rotated to " + created.token_id + " by " + created.created_by + "; " +
                       old_fate);
              // Two events, so that a query by either token id finds the rotation.
              AuditEvent rotated = change_event("token.rotated", facts, now, 201);
              rotated.token_id = id;
              rotated.detail = "rotated to " + created.token_id + "; " + old_fate;
              AuditEvent born = change_event("token.created", facts, now, 201);
              born.token_id = created.token_id;
              born.detail = "rotated from " + id + "; scopes " + joined(created.scopes);
              return audit_.acknowledge(
                  {std::move(rotated), std::move(born)},
                  json_response(201, minted_token_json(created, token, now)),
                  unaudited("Token " + id + " was rotated to " + created.token_id,
                            "the new secret is withheld. Revoke " + created.token_id +
                                " and mint a replacement once the audit trail is writable."),
                  reply, t);
            }
            case StoreStatus::not_found:
              return reply->respond(token_not_found(id));
            case StoreStatus::conflict:
              // Another write got there first (revoked, rotated); the store's message
              // says which and holds no secret.
              return reply->respond(
                  conflict("Could not rotate token " + id + ": " + result.message + "."));
            case StoreStatus::unavailable:
              return reply->respond(store_unavailable());
            case StoreStatus::invalid_grant:  // a pair-code answer; not one for a rotate
              return reply->respond(internal_error());
          }
        } catch (const std::exception&) {
          reply->respond(internal_error());
        }
      });
}

}  // namespace fathom::admin
