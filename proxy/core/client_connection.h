// One client connection and, while a request is forwarded, its upstream connection.
//
// Both sides live in this one object so that there is exactly one lifetime to reason about: the
// connection deletes itself (close()) and takes the upstream side with it, or hands the upstream
// connection back to the pool when the exchange ended cleanly. Everything runs on the worker's
// thread; the only way in from elsewhere is a Responder, which posts to the worker.
//
// Phases of a request: head -> (local_body -> local_wait) | forward [-> tunnel] -> head ...
// See docs/design.md for the drawing, error paths included.
#pragma once

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "auth/validation_cache.h"
#include "core/access.h"
#include "core/authenticator.h"
#include "core/credentials.h"
#include "core/runtime.h"
#include "http/chunked.h"
#include "http/message.h"

namespace fathom {

class Worker;
struct LocalRequestState;

class ClientConnection {
 public:
  ClientConnection(Worker& worker, bufferevent* bev, std::string peer);
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  // Starts reading. The connection owns itself from here on.
  void start();
  // Worker draining: an idle connection closes now, a busy one after its current response.
  void drain();
  // Drain deadline passed: close whatever is going on.
  void abort() { close(); }

  // The token this connection's current request or open stream runs on, if any.
  const std::shared_ptr<const auth::CachedToken>& token() const { return token_; }
  // The token was revoked: an open stream (SSE) or tunnel ends now; a request in progress, even
  // one whose response is on its way, ends after its response, and the connection then closes.
  void token_invalidated();

  // Intrusive list of the worker's connections (no allocation per connection for bookkeeping).
  ClientConnection* prev = nullptr;
  ClientConnection* next = nullptr;

  // Called on the worker's thread by a local handler's responder.
  void local_response(const Response& response);

 private:
  enum class Phase : uint8_t { head, auth_wait, local_body, local_wait, forward, tunnel, closing };

  ~ClientConnection();

  // Callbacks nest (a write inside a read callback may fire another); the object is deleted
  // only when the outermost one returns, so a close() deep inside never pulls the floor away.
  // On the way out of the outermost one, whatever the callback queued for the client is written
  // (flush_client), so that one callback's output leaves in one write.
  struct CallbackScope {
    explicit CallbackScope(ClientConnection& c) : c_(c) { ++c_.depth_; }
    ~CallbackScope() {
      if (c_.depth_ == 1 && !c_.closed_) c_.flush_client();
      if (--c_.depth_ == 0 && c_.closed_) delete &c_;
    }
    ClientConnection& c_;
  };
  void flush_client();

  // --- client side (client_connection.cpp) ---
  static void on_client_read(bufferevent*, void* arg);
  static void on_client_write(bufferevent*, void* arg);
  static void on_client_event(bufferevent*, short what, void* arg);
  static void on_timer(evutil_socket_t, short, void* arg);
  void process_input();
  bool read_head();  // false when the connection was closed or is waiting for more bytes
  // A trusted peer's PROXY protocol v2 header, before the first request: false while it is
  // incomplete or when it was refused (the connection then closes).
  bool read_proxy_header();
  void dispatch();
  void authorize(const Credentials& creds);
  // The token was not in the cache: ask the store, and go on in lookup_done() (on this thread).
  void wait_for_lookup(PendingLookup pending);
  void lookup_done();
  // Refuses or goes on (scopes, then proceed) with the authenticator's answer.
  void authenticated(AuthResult r);
  void refuse_credentials(std::string_view message, bool presented);
  void refuse_rate_limited(std::chrono::seconds retry_after);
  // The client's address for this request: the TCP peer, or, when the peer is a trusted proxy,
  // the rightmost untrusted hop of X-Forwarded-For.
  void resolve_client();
  // A stream or tunnel has started: it ends when its token expires (a timer) or is revoked.
  bool is_stream() const {
    return phase_ == Phase::tunnel || (phase_ == Phase::forward && stream_);
  }
  // Arms the expiry timer for the caller's token; false if the token has already expired.
  bool watch_token_expiry();
  static void on_token_expiry(evutil_socket_t, short, void* arg);
  void proceed(const AccessDecision& decision);
  void finish_request(int status, bool keep_alive);
  void arm_head_timer();
  void set_timer(std::chrono::milliseconds ms);
  void close();
  void close_after_flush();

  // Responses produced here. Every one carries X-Request-Id.
  void send_error(int status, std::string_view error, std::string_view message,
                  std::string_view www_authenticate = {},
                  std::span<const std::pair<std::string, std::string>> extra = {});
  void send_local(int status, std::string_view content_type, std::string_view body,
                  std::span<const std::pair<std::string, std::string>> extra, bool keep_alive);
  void log_request(int status);
  // The request's audit event (proxied and locally answered requests; not /healthz, /readyz or
  // requests refused before they were understood). Called once per request.
  void record_audit(int status);

  // --- local handlers (local_handler.cpp) ---
  void start_local(RouteHandler* handler);
  void pump_local_body();
  // Moves up to `n` body bytes into local_body_ if the worker's budget allows; false (and a 503
  // sent) when it does not.
  bool hold_local_body(size_t n);
  void release_local_body();
  void call_handler();

  // --- upstream side (forwarding.cpp) ---
  static void on_upstream_read(bufferevent*, void* arg);
  static void on_upstream_write(bufferevent*, void* arg);
  static void on_upstream_event(bufferevent*, short what, void* arg);
  void start_forward();
  bool connect_upstream(bool allow_pooled);
  void build_upstream_head();
  void pump_request_body();
  void request_body_done();
  void read_upstream();
  bool read_response_head();
  void send_response_head();
  void pump_response_body();
  void response_done();
  void upstream_failed(int status, std::string_view error, std::string_view message);
  void release_upstream(bool reusable);
  void start_tunnel();
  void pump_tunnel(bufferevent* from, bufferevent* to);
  void tunnel_closed(bufferevent* which);

  Worker& worker_;
  bufferevent* bev_;
  std::string peer_;                    // the TCP peer (or the PROXY protocol header's source)
  bool peer_trusted_ = false;           // the peer is in trusted_proxies (decided per request)
  bool proxy_header_possible_ = false;  // a trusted peer, plain TCP, no request read yet
  Phase phase_ = Phase::head;
  event* timer_ = nullptr;
  bool timer_is_head_ = false;  // the header-read deadline is armed
  bool in_process_input_ = false;
  bool closed_ = false;
  // Plain TCP: responses are written straight to the socket (flush_client) and the
  // bufferevent's write event is enabled only while bytes remain. TLS: the bufferevent writes.
  bool direct_writes_ = false;
  int depth_ = 0;
  bool draining_ = false;

  // The request being served. Views in head_ point into head_buf_.
  std::shared_ptr<const Runtime> rt_;
  std::string head_buf_;
  http::RequestHead head_;
  std::string canonical_path_;     // head_.path views it when the path was not canonical as sent
  std::string client_;             // see resolve_client()
  std::string request_id_;         // always the proxy's own
  std::string client_request_id_;  // the client's sane X-Request-Id, or empty
  std::chrono::steady_clock::time_point started_;
  AccessDecision decision_;
  std::shared_ptr<const auth::CachedToken> token_;  // the caller, once authenticated
  Identity identity_;  // built from token_ only for local handlers, which need a copy
  bool keep_alive_ = true;
  enum class AuditKind : uint8_t { none, request, auth_failed };
  AuditKind audit_kind_ = AuditKind::none;  // set once the request is dispatched

  // Request body, towards the upstream or a local handler.
  uint64_t body_left_ = 0;  // content-length framing
  http::ChunkedDecoder body_chunks_;
  bool body_done_ = false;

  // Local handler state.
  RouteHandler* handler_ = nullptr;
  struct EvbufferFree {
    void operator()(evbuffer* b) const { evbuffer_free(b); }
  };
  std::unique_ptr<evbuffer, EvbufferFree> local_body_;
  size_t local_body_held_ = 0;   // bytes taken from the worker's local body budget
  size_t local_body_limit_ = 0;  // this request's body limit (public routes get less)
  std::shared_ptr<LocalRequestState> local_state_;

  // A store lookup in flight. The store's callback holds it too; connection is cleared (on this
  // thread) when the connection closes, so a late answer finds nobody.
  struct AuthWait {
    static constexpr int kWorkerReturned = 1;
    static constexpr int kAnswered = 2;
    Worker* worker = nullptr;
    ClientConnection* connection = nullptr;
    AuthResult result;
    std::atomic<int> state{0};
    // For fathom_store_lookup_seconds: set before asking, and by the store's callback.
    std::chrono::steady_clock::time_point asked;
    std::chrono::steady_clock::time_point answered;
  };
  // On the worker's thread, once the answer is in: the lookup's duration and any store error.
  static void count_lookup(const AuthWait& wait);
  std::shared_ptr<AuthWait> auth_wait_;

  // Upstream side.
  bufferevent* up_ = nullptr;
  bool up_reused_ = false;
  bool up_connecting_ = false;
  bool up_eof_ = false;
  bool up_response_started_ = false;  // a response head went to the client
  std::string up_head_;               // the serialized request head, kept for one retry
  std::chrono::steady_clock::time_point up_head_sent_;  // for fathom_upstream_response_seconds
  std::string resp_buf_;
  http::ResponseHead resp_;
  uint64_t resp_left_ = 0;
  http::ChunkedDecoder resp_chunks_;
  bool resp_chunked_out_ = false;  // re-encoding the body as chunked towards the client
  bool resp_close_out_ = false;    // the client's body ends when we close (HTTP/1.0 client)
  bool resp_done_ = false;
  int resp_status_ = 0;
  bool stream_ = false;            // the response is an event stream (text/event-stream)
  event* expiry_timer_ = nullptr;  // a stream's token expiry; created on first use
};

}  // namespace fathom
