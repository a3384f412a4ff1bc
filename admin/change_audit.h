// The audit events of admin changes (token.created, token.revoked, token.rotated, pair_code.*),
// and the rule that a change is acknowledged only once its events are durable.
//
// A route first asks writable(): with an audit log that has already failed, it refuses before
// touching the store, so nothing changes unaudited. After the store write it calls record() and
// answers from its callback: the success answer when every event is durable, else a 503 that
// says the change was made but not audited (see docs/api.md).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fathom/audit.h"
#include "fathom/plugin.h"

namespace fathom::admin {

// What an event needs of the request, copied: the Request is gone by the time the store answers.
struct RequestFacts {
  std::string method;
  std::string path;
  std::string client;
  std::string user_agent;  // at most kMaxUserAgent bytes
  std::string request_id;
  std::string actor_token_id;  // the caller's token id; empty for /v1/pair
};

inline constexpr size_t kMaxUserAgent = 256;

RequestFacts facts_of(const Request& request);

// An event of `kind` at `now` for the request, with its actor; the route fills token_id,
// pair_code_id and detail. `status` is the status the change is acknowledged with.
AuditEvent change_event(std::string_view kind, const RequestFacts& facts, UnixTime now, int status);

class ChangeAudit {
 public:
  using EventLog =
      std::function<void(LogLevel level, std::string_view event, std::string_view message)>;

  // `log` may be null (check-config, or a daemon without an audit trail): changes then go
  // unaudited and record() answers true at once. `events` gets one error line per change that
  // was made but could not be audited.
  ChangeAudit(AuditLog* log, EventLog events) : log_(log), events_(std::move(events)) {}

  bool writable() const { return log_ == nullptr || log_->ready(); }

  // Records every event durably; `done(true)` once all are, `done(false)` if any cannot be.
  // `done` runs once, on the log's writer thread (or inline without a log).
  void record(std::vector<AuditEvent> events, std::function<void(bool durable)> done) const;

  // Records `events`, then answers `ok`, or `failed` (logged) when they could not be made durable.
  // `hold` is kept until then (a PendingCalls::Hold of the route class).
  void acknowledge(std::vector<AuditEvent> events, Response ok, Response failed,
                   std::shared_ptr<Responder> reply, std::shared_ptr<void> hold) const;

 private:
  AuditLog* log_;
  EventLog events_;
};

// 503 store_unavailable before any change: the audit trail cannot be written.
Response audit_unavailable();
// 503 store_unavailable after a change: `what` says what was done ("Token tok_… was revoked"),
// `advice` what to do now. The secret the change minted, if any, is not in it.
Response unaudited(std::string_view what, std::string_view advice);

}  // namespace fathom::admin
