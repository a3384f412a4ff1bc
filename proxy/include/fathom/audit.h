// The audit trail as plugins and the daemon see it: one event per proxied or admin request and
// one per admin change, kept after the token they name is revoked, newest first when queried.
//
// Threads: every method may be called from any thread. record() never waits for a disk: it hands
// the event to the log's writer, which writes batches and makes them durable within a second.
// record_durable() calls `done` once the event is on disk (fdatasync), on the writer thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fathom/token_store.h"

namespace fathom {

struct AuditEvent {
  // Assigned by the log when the event is written: "evt_" + 16 decimal digits of the event's
  // sequence number, so ids sort in the order events were written. Empty when recording.
  std::string event_id;
  UnixTime time = 0;
  // request, auth.failed, token.created, token.revoked, token.rotated, token.expired,
  // pair_code.created, pair_code.redeemed, pair_code.cancelled, audit.pruned.
  std::string kind;
  std::string token_id;        // request: the caller; token.*: the token changed; else empty
  std::string actor_token_id;  // admin changes: the token that made it; else empty
  std::string method;          // request and auth.failed; else empty
  std::string path;            // without the query
  int status = 0;              // the response's status; 0 when not a request
  std::string client;          // client address
  std::string user_agent;
  std::string request_id;         // always the proxy's own
  std::string client_request_id;  // the client's sane X-Request-Id, if it sent one
  std::string pair_code_id;       // pair_code.*
  std::string detail;  // a short note a person can read ("rotated to tok_…"); never a secret
};

struct AuditQuery {
  std::string token_id;           // empty: every token
  std::optional<UnixTime> since;  // inclusive
  std::optional<UnixTime> until;  // exclusive
  size_t limit = 100;             // 1..1000
  std::string cursor;             // from a previous page's next_cursor; empty for the first page
};

struct AuditPage {
  std::vector<AuditEvent> events;  // newest first
  std::string next_cursor;         // empty when there is nothing older
};

enum class AuditStatus : uint8_t {
  ok,
  bad_cursor,   // the cursor was not made by this log (or is damaged)
  unavailable,  // the log cannot be read or has stopped writing (failed fsync)
};

class AuditLog {
 public:
  virtual ~AuditLog() = default;
  // Queues the event; durable within a second. Drops nothing silently: if the writer has failed,
  // the loss is logged (once) and ready() turns false.
  virtual void record(AuditEvent event) = 0;
  // Writes the event and syncs; `done(true)` once it is durable, `done(false)` if it cannot be.
  virtual void record_durable(AuditEvent event, std::function<void(bool durable)> done) = 0;
  // One page of events matching `query`, newest first. Completes on the calling thread.
  virtual void query(const AuditQuery& query,
                     const std::function<void(AuditStatus, AuditPage)>& done) = 0;
  virtual bool ready() = 0;
  // Returns once no record_durable callback is running or about to run (like
  // TokenStore::quiesce): the daemon calls it before unloading a plugin, whose code those
  // callbacks are — including the destructors of the std::function objects holding them.
  virtual void quiesce() = 0;
};

}  // namespace fathom
