#include "change_audit.h"

#include <atomic>
#include <memory>
#include <utility>

#include "responses.h"

namespace fathom::admin {

RequestFacts facts_of(const Request& request) {
  RequestFacts facts;
  facts.method = request.method();
  facts.path = request.path();
  facts.client = request.client_address();
  // The header is bounded by the daemon's limits, but a million events of 32 KiB agents would
  // make the trail mostly user agents; the start of one is what identifies a client.
  if (std::optional<std::string_view> agent = request.header("User-Agent")) {
    facts.user_agent = agent->substr(0, kMaxUserAgent);
  }
  facts.request_id = request.request_id();
  if (const Identity* caller = request.identity()) facts.actor_token_id = caller->token_id;
  return facts;
}

AuditEvent change_event(std::string_view kind, const RequestFacts& facts, UnixTime now,
                        int status) {
  AuditEvent event;
  event.time = now;
  event.kind = kind;
  event.actor_token_id = facts.actor_token_id;
  event.method = facts.method;
  event.path = facts.path;
  event.status = status;
  event.client = facts.client;
  event.user_agent = facts.user_agent;
  event.request_id = facts.request_id;
  return event;
}

void ChangeAudit::record(std::vector<AuditEvent> events,
                         std::function<void(bool durable)> done) const {
  if (log_ == nullptr || events.empty()) return done(true);
  // Handed over together, so the log can sync them at once; answered when the last one is.
  struct Join {
    std::atomic<size_t> left;
    std::atomic<bool> all_durable{true};
    std::function<void(bool)> done;
  };
  auto join = std::make_shared<Join>();
  join->left = events.size();
  join->done = std::move(done);
  for (AuditEvent& event : events) {
    log_->record_durable(std::move(event), [join](bool durable) {
      if (!durable) join->all_durable = false;
      if (join->left.fetch_sub(1) == 1) join->done(join->all_durable.load());
    });
  }
}

void ChangeAudit::acknowledge(std::vector<AuditEvent> events, Response ok, Response failed,
                              std::shared_ptr<Responder> reply, std::shared_ptr<void> hold) const {
  // Named before the events move: the log line must say what went unaudited.
  std::string what;
  for (const AuditEvent& e : events) {
    what += (what.empty() ? "" : ", ") + e.kind + " " +
            (e.token_id.empty() ? e.pair_code_id : e.token_id);
  }
  record(std::move(events), [this, ok = std::move(ok), failed = std::move(failed), reply,
                             what = std::move(what), hold = std::move(hold)](bool durable) mutable {
    if (durable) return reply->respond(std::move(ok));
    if (events_) events_(LogLevel::error, "change_unaudited", what + ": made, but not audited");
    reply->respond(std::move(failed));
  });
}

Response audit_unavailable() {
  return error_response(503, "store_unavailable",
                        "The audit trail cannot be written, so no change was made; try again once "
                        "the server log shows it is writable.");
}

Response unaudited(std::string_view what, std::string_view advice) {
  return error_response(503, "store_unavailable",
                        std::string(what) +
                            ", but the audit trail could not record it, so the change is not "
                            "acknowledged; " +
                            std::string(advice));
}

}  // namespace fathom::admin
