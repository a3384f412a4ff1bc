#include "core/client_connection.h"

#include <event2/buffer.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "auth/secret.h"
#include "core/credentials.h"
#include "core/explain.h"
#include "core/flow.h"
#include "core/head_rebase.h"
#include "core/local_request.h"
#include "core/request_id.h"
#include "core/request_view.h"
#include "core/worker.h"
#include "http/parser.h"
#include "http/path_canonical.h"
#include "http/serialize.h"
#include "metrics/auth_outcome_label.h"
#include "net/ip_address.h"
#include "net/proxy_protocol.h"
#include "ops/log.h"
#include "tls/tls_bufferevent.h"

namespace fathom {

namespace {
// A user agent is free text from the client; the audit keeps enough of it to recognise one.
constexpr size_t kMaxAuditUserAgent = 256;
// Paths too: enough to see what was asked, not 8 KiB a request for whoever sends long ones.
constexpr size_t kMaxAuditPath = 256;
}  // namespace

ClientConnection::ClientConnection(Worker& worker, bufferevent* bev, std::string peer)
    : worker_(worker), bev_(bev), peer_(std::move(peer)) {
  timer_ = evtimer_new(worker_.base(), on_timer, this);
}

ClientConnection::~ClientConnection() {
  cleanse_credentials(head_buf_, head_);
  auth::cleanse(up_head_);
  if (local_state_) local_state_->detach();
  if (up_ != nullptr) bufferevent_free(up_);
  if (bev_ != nullptr) bufferevent_free(bev_);
  if (timer_ != nullptr) event_free(timer_);
  if (expiry_timer_ != nullptr) event_free(expiry_timer_);
}

void ClientConnection::start() {
  rt_ = worker_.runtime();
  bufferevent_setcb(bev_, on_client_read, on_client_write, on_client_event, this);
  // Reading stops while a head or body bytes wait unprocessed; the kernel's buffers then hold
  // the rest, which bounds memory per connection.
  bufferevent_setwatermark(bev_, EV_READ, 0,
                           std::max(kFlowHigh, rt_->config.limits.max_header_bytes + 2));
  bufferevent_setwatermark(bev_, EV_WRITE, kFlowLow, 0);
  bufferevent_set_max_single_read(bev_, kMaxSingleIo);
  bufferevent_set_max_single_write(bev_, kMaxSingleIo);
  timeval idle = to_timeval(rt_->config.timeouts.idle);
  // A client that stops reading what we send is dropped after the idle timeout.
  bufferevent_set_timeouts(bev_, nullptr, &idle);
  direct_writes_ = !tls::is_tls(bev_);
  // A TCP balancer in front may say who the client is; over TLS its header would come before
  // the handshake, which OpenSSL reads, so PROXY is taken on plain listeners only.
  proxy_header_possible_ = direct_writes_ && net::contains_any(rt_->config.trusted_proxies, peer_);
  // A new bufferevent starts with writing enabled; direct writes enable it only when needed.
  if (direct_writes_) bufferevent_disable(bev_, EV_WRITE);
  bufferevent_enable(bev_, direct_writes_ ? EV_READ : EV_READ | EV_WRITE);
  arm_head_timer();
}

// The bufferevent's own write waits for the loop to report the socket writable: an epoll_ctl to
// ask, a loop turn, the write, and an epoll_ctl to stop asking, for every response. A socket
// that has room (nearly always, for an answer of a few KiB) takes the bytes now instead; only
// what it leaves waits for the write event, and the callbacks that wait for the output to drain
// (close after an error, a paused download, pipelined requests) run as if it had fired.
void ClientConnection::flush_client() {
  if (!direct_writes_) return;
  evbuffer* out = bufferevent_get_output(bev_);
  // Each round writes everything queued; what waited for the drain may queue more (the next
  // part of a download, a pipelined request's answer), and runs out when its input does.
  while (!closed_ && evbuffer_get_length(out) > 0) {
    if (bufferevent_get_enabled(bev_) & EV_WRITE) return;  // a write in progress goes its way
    // A socket bufferevent keeps its output's start frozen, so that only its own write drains
    // it (evbuffer_write refuses a frozen buffer); thaw it for this write, as that one does.
    evbuffer_unfreeze(out, 1);
    const int n = evbuffer_write_atmost(out, bufferevent_getfd(bev_), -1);
    const int err = errno;
    evbuffer_freeze(out, 1);
    if (n < 0 && err != EAGAIN && err != EWOULDBLOCK && err != EINTR) {
      // Let the bufferevent's own write meet the error and report it to on_client_event.
      bufferevent_enable(bev_, EV_WRITE);
      return;
    }
    if (evbuffer_get_length(out) > 0) {
      bufferevent_enable(bev_, EV_WRITE);
      return;
    }
    on_client_write(bev_, this);
  }
}

void ClientConnection::drain() {
  draining_ = true;
  if (phase_ == Phase::head && evbuffer_get_length(bufferevent_get_input(bev_)) == 0) {
    CallbackScope scope(*this);
    close();
  }
}

// ---------------------------------------------------------------------------------------------
// Callbacks. Each holds a CallbackScope so that a close() inside only deletes on the way out.

void ClientConnection::on_client_read(bufferevent*, void* arg) {
  auto* self = static_cast<ClientConnection*>(arg);
  CallbackScope scope(*self);
  switch (self->phase_) {
    case Phase::head:
      self->process_input();
      break;
    case Phase::local_body:
      self->pump_local_body();
      break;
    case Phase::forward:
      self->pump_request_body();
      break;
    case Phase::tunnel:
      self->pump_tunnel(self->bev_, self->up_);
      break;
    case Phase::local_wait:
    case Phase::auth_wait:
      break;  // bytes of a body or a pipelined request wait for the answer
    case Phase::closing:
      // After an error response the rest of the input means nothing; discard it while the
      // response drains.
      evbuffer_drain(bufferevent_get_input(self->bev_),
                     evbuffer_get_length(bufferevent_get_input(self->bev_)));
      break;
  }
}

void ClientConnection::on_client_write(bufferevent*, void* arg) {
  auto* self = static_cast<ClientConnection*>(arg);
  CallbackScope scope(*self);
  if (self->direct_writes_ && evbuffer_get_length(bufferevent_get_output(self->bev_)) == 0) {
    bufferevent_disable(self->bev_, EV_WRITE);  // drained: the next response goes direct again
  }
  switch (self->phase_) {
    case Phase::closing:
      if (evbuffer_get_length(bufferevent_get_output(self->bev_)) == 0) self->close();
      break;
    case Phase::forward:
      if (self->up_response_started_ && !self->resp_done_) self->pump_response_body();
      break;
    case Phase::tunnel:
      self->pump_tunnel(self->up_, self->bev_);
      break;
    case Phase::head:
      self->process_input();
      break;  // pipelined requests waited for room
    default:
      break;
  }
}

void ClientConnection::on_client_event(bufferevent*, short what, void* arg) {
  auto* self = static_cast<ClientConnection*>(arg);
  CallbackScope scope(*self);
  if (what & BEV_EVENT_CONNECTED) return;  // a TLS handshake completed; the request follows
  if ((what & BEV_EVENT_EOF) && self->body_done_ &&
      (self->phase_ == Phase::forward || self->phase_ == Phase::auth_wait)) {
    // The client half-closed after sending its whole request: still deliver the response.
    self->keep_alive_ = false;
    return;
  }
  if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_READING)) {
    log::info("client_timeout", {{"client", self->peer_}, {"phase", "body"}});
  }
  if (what & BEV_EVENT_ERROR) {
    // A refused handshake (TLS 1.1, no shared cipher, a client that distrusts our certificate)
    // otherwise leaves no trace on this side.
    if (std::string why = tls::failure_reason(self->bev_); !why.empty()) {
      log::info("tls_failed", {{"client", self->peer_}, {"message", why}});
    }
  }
  self->close();
}

void ClientConnection::on_timer(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<ClientConnection*>(arg);
  CallbackScope scope(*self);
  if (self->phase_ == Phase::head) {
    if (self->timer_is_head_) {
      // Slow or stalled head (slowloris): answer and close rather than hold the slot.
      self->keep_alive_ = false;
      self->send_error(408, "request_timeout",
                       "The request head did not arrive in time; send it in one go.");
    } else {
      self->close();  // idle keep-alive connection
    }
    return;
  }
  if (self->phase_ == Phase::local_body) {
    // timeouts.body_read: the body trickled in too slowly to be worth holding.
    self->keep_alive_ = false;
    self->send_error(408, "request_timeout",
                     "The request body did not arrive in time; send it in one go.");
    return;
  }
  if (self->phase_ == Phase::forward && !self->up_response_started_) {
    self->upstream_failed(504, "upstream_timeout",
                          self->up_connecting_ ? "The lake did not accept the connection in time."
                                               : "The lake did not answer in time.");
  }
}

// ---------------------------------------------------------------------------------------------
// Reading requests

void ClientConnection::process_input() {
  if (in_process_input_) return;  // a request finished synchronously inside the loop below
  in_process_input_ = true;
  while (phase_ == Phase::head && !closed_) {
    // Pipelined requests wait while the client is slow to read our answers.
    if (evbuffer_get_length(bufferevent_get_output(bev_)) >= kFlowHigh) break;
    if (!read_head()) break;
    dispatch();
  }
  in_process_input_ = false;
}

bool ClientConnection::read_head() {
  evbuffer* in = bufferevent_get_input(bev_);
  size_t len = evbuffer_get_length(in);
  if (len == 0) {
    if (timer_is_head_ || !evtimer_pending(timer_, nullptr)) arm_head_timer();
    return false;
  }
  if (rt_->generation != worker_.runtime()->generation) rt_ = worker_.runtime();
  if (proxy_header_possible_) {
    if (!read_proxy_header()) return false;
    len = evbuffer_get_length(in);
    if (len == 0) return false;
  }
  const Config& cfg = rt_->config;
  size_t want = std::min(len, cfg.limits.max_header_bytes + 2);
  const char* p = reinterpret_cast<const char*>(evbuffer_pullup(in, static_cast<ssize_t>(want)));
  http::ParseResult r = http::parse_request_head({p, want}, rt_->head_limits, head_);
  if (r.status == http::ParseStatus::need_more) {
    if (!timer_is_head_) {
      timer_is_head_ = true;
      set_timer(cfg.timeouts.header_read);
    }
    return false;
  }
  started_ = std::chrono::steady_clock::now();
  if (r.status == http::ParseStatus::refused) {
    http::RefusalInfo info = http::describe(r.refusal);
    log::info("request_refused",
              {{"client", peer_}, {"reason", http::name(r.refusal)}, {"status", info.status}});
    keep_alive_ = false;
    worker_.new_request_id(request_id_);
    head_.method = {};
    send_error(info.status, info.error, info.message);
    return false;
  }
  head_buf_.assign(p, r.consumed);
  rebase(head_, Rebase{p, r.consumed, head_buf_.data()});
  // Drained chains are freed as they are; head_buf_ is the one copy of the token from here on.
  auth::cleanse(const_cast<char*>(p), r.consumed);
  evbuffer_drain(in, r.consumed);
  // From here on every policy, the audit and the lake see the one canonical spelling.
  if (!http::canonicalize_path(head_.path, canonical_path_)) head_.path = canonical_path_;
  return true;
}

bool ClientConnection::read_proxy_header() {
  evbuffer* in = bufferevent_get_input(bev_);
  const size_t want = std::min(evbuffer_get_length(in), net::kMaxProxyHeader);
  const char* p = reinterpret_cast<const char*>(evbuffer_pullup(in, static_cast<ssize_t>(want)));
  net::ProxyHeader h = net::parse_proxy_v2({p, want});
  switch (h.status) {
    case net::ProxyHeaderStatus::absent:
      proxy_header_possible_ = false;
      return true;
    case net::ProxyHeaderStatus::need_more:
      if (!timer_is_head_) {
        timer_is_head_ = true;
        set_timer(rt_->config.timeouts.header_read);
      }
      return false;
    case net::ProxyHeaderStatus::refused:
      log::info("proxy_header_refused", {{"client", peer_}, {"reason", h.why}});
      close();
      return false;
    case net::ProxyHeaderStatus::done:
      break;
  }
  evbuffer_drain(in, h.consumed);
  proxy_header_possible_ = false;
  if (!h.client.empty()) peer_ = std::move(h.client);
  return true;
}

void ClientConnection::dispatch() {
  timer_is_head_ = false;
  evtimer_del(timer_);
  keep_alive_ = head_.keep_alive && !draining_;
  token_.reset();
  body_done_ = head_.framing == http::Framing::none;
  // The audit's request id is always ours: a client could otherwise make its requests look like
  // someone else's. Its own id goes along as X-Client-Request-Id.
  worker_.new_request_id(request_id_);
  client_request_id_.clear();
  const http::Header* rid = head_.find("x-request-id");
  if (rid != nullptr && is_sane_request_id(rid->value)) client_request_id_.assign(rid->value);
  resolve_client();

  // The proxy's own routes: answered before any plugin, never forwarded.
  if (head_.path == "/healthz" || head_.path == "/readyz") {
    if (head_.method != "GET" && head_.method != "HEAD") {
      static const std::pair<std::string, std::string> kAllow[] = {{"Allow", "GET, HEAD"}};
      send_error(405, "method_not_allowed", "Use GET for this route.", {}, kAllow);
      return;
    }
    if (head_.path == "/healthz") {
      send_local(200, "application/json", R"({"status":"ok"})", {}, keep_alive_);
      return;
    }
    // Ready means able to answer for tokens: the store answers and the audit can still be
    // written (admin writes wait for it). Neither call blocks: each reads a flag.
    Services& services = worker_.services();
    if (services.token_store != nullptr && !services.token_store->ready()) {
      send_local(
          503, "application/json",
          R"({"status":"unavailable","error":"store_unavailable","message":"The token store cannot be reached or has stopped writing; see the daemon's log."})",
          {}, keep_alive_);
      return;
    }
    if (services.audit_log != nullptr && !services.audit_log->ready()) {
      send_local(
          503, "application/json",
          R"({"status":"unavailable","error":"audit_unavailable","message":"The audit log has stopped writing; see the daemon's log."})",
          {}, keep_alive_);
      return;
    }
    send_local(200, "application/json", R"({"status":"ready"})", {}, keep_alive_);
    return;
  }

  audit_kind_ = AuditKind::request;
  Credentials creds = read_credentials(head_);
  if (creds.status == CredentialStatus::query_token) {
    audit_kind_ = AuditKind::auth_failed;
    worker_.metrics().authenticated(metrics::AuthLabel::query_token);
    send_error(401, "invalid_token",
               "Tokens in the query string are refused; send the token in the Authorization "
               "header as \"Bearer <token>\".",
               R"(Bearer realm="fathom", error="invalid_token")");
    return;
  }
  if (creds.status == CredentialStatus::duplicate) {
    send_error(400, "invalid_request", "Send one Authorization header, not several.");
    return;
  }

  RequestView view(head_, client_, request_id_, nullptr);
  if (head_.path == kExplainPath) {
    decision_ = {Verdict::require, {&kExplainScope, 1}, "explain", rt_->explain.get()};
  } else {
    decision_ = decide_access(*rt_->plugins, view);
  }
  switch (decision_.verdict) {
    case Verdict::allow_public:
      proceed(decision_);
      return;
    case Verdict::deny: {
      std::string message = "This request is not allowed here (";
      message.append(decision_.reason);
      message += ").";
      send_error(403, "forbidden", message);
      return;
    }
    case Verdict::require:
    case Verdict::abstain:
      authorize(creds);
      return;
  }
}

void ClientConnection::authorize(const Credentials& creds) {
  Authenticator& authn = *worker_.services().authenticator;
  switch (creds.status) {
    case CredentialStatus::none:
      worker_.metrics().authenticated(metrics::AuthLabel::missing);
      refuse_credentials("This route needs a bearer token: send \"Authorization: Bearer <token>\".",
                         false);
      return;
    case CredentialStatus::bearer:
      break;
    default: {
      std::chrono::seconds retry{0};
      if (authn.blocked(client_, &retry)) {
        worker_.metrics().authenticated(metrics::AuthLabel::rate_limited);
        refuse_rate_limited(retry);
        return;
      }
      authn.record_failure(client_);
      worker_.metrics().authenticated(metrics::AuthLabel::malformed);
      refuse_credentials("The Authorization header must be \"Bearer <token>\" with one token.",
                         true);
      return;
    }
  }
  PendingLookup pending;
  AuthResult r = authn.authenticate(creds.token, client_, pending);
  // Hashed: only the lake may still need the token's bytes, and only if it is sent them.
  if (decision_.handler != nullptr || !rt_->config.upstream.forward_authorization) {
    cleanse_credentials(head_buf_, head_);
  }
  if (r.cache == CacheUse::hit) worker_.metrics().cache_hits.add();
  if (r.cache == CacheUse::miss) worker_.metrics().cache_misses.add();
  if (r.outcome == AuthOutcome::pending) {
    wait_for_lookup(std::move(pending));
    return;
  }
  authenticated(std::move(r));
}

void ClientConnection::wait_for_lookup(PendingLookup pending) {
  phase_ = Phase::auth_wait;
  auto wait = std::make_shared<AuthWait>();
  wait->worker = &worker_;
  wait->connection = this;
  auth_wait_ = wait;
  wait->asked = std::chrono::steady_clock::now();
  worker_.services().authenticator->lookup(std::move(pending), [wait](AuthResult r) {
    wait->result = std::move(r);
    wait->answered = std::chrono::steady_clock::now();
    // Whoever comes second goes on: this callback (the store answered later, on its own
    // thread: hand the answer to the worker), or the worker below (the store answered before
    // lookup() returned, as the embedded one does: go on without a round trip through the loop).
    if (wait->state.exchange(AuthWait::kAnswered) == AuthWait::kWorkerReturned) {
      wait->worker->post([wait] {
        count_lookup(*wait);
        if (wait->connection != nullptr) wait->connection->lookup_done();
      });
    }
  });
  if (wait->state.exchange(AuthWait::kWorkerReturned) == AuthWait::kAnswered) {
    count_lookup(*wait);
    lookup_done();
  }
}

void ClientConnection::count_lookup(const AuthWait& wait) {
  const AuthResult& r = wait.result;
  wait.worker->metrics().store_answered(wait.answered - wait.asked,
                                        r.stale || r.outcome == AuthOutcome::store_unavailable);
}

void ClientConnection::lookup_done() {
  CallbackScope scope(*this);
  std::shared_ptr<AuthWait> wait = std::move(auth_wait_);
  if (closed_ || wait == nullptr) return;
  phase_ = Phase::head;  // no longer waiting; the next step sets its own phase
  authenticated(std::move(wait->result));
}

void ClientConnection::authenticated(AuthResult r) {
  const AccessDecision& decision = decision_;
  worker_.metrics().authenticated(metrics::label_of(r));
  switch (r.outcome) {
    case AuthOutcome::valid:
      break;
    case AuthOutcome::pending:  // lookup() never answers pending
    case AuthOutcome::store_unavailable:
      send_error(503, "store_unavailable",
                 "The token store cannot be reached; try again in a moment.");
      return;
    case AuthOutcome::rate_limited:
      refuse_rate_limited(r.retry_after);
      return;
    case AuthOutcome::bad_format:
      refuse_credentials("The token is malformed: a token is \"fth_\" and 38 letters and digits.",
                         true);
      return;
    case AuthOutcome::revoked:
      refuse_credentials("The token has been revoked.", true);
      return;
    case AuthOutcome::expired:
      refuse_credentials("The token has expired.", true);
      return;
    case AuthOutcome::unknown:
      refuse_credentials("The token is not known.", true);
      return;
  }
  token_ = std::move(r.token);
  for (const std::string& scope : decision.scopes) {
    if (holds_scope(*token_, scope)) continue;
    std::string message = "This request needs the scope \"" + scope + "\", which the token lacks.";
    std::string challenge =
        R"(Bearer realm="fathom", error="insufficient_scope", scope=")" + scope + "\"";
    send_error(403, "insufficient_scope", message, challenge);
    return;
  }
  proceed(decision);
}

void ClientConnection::refuse_credentials(std::string_view message, bool presented) {
  audit_kind_ = AuditKind::auth_failed;
  send_error(
      401, "invalid_token", message,
      presented ? R"(Bearer realm="fathom", error="invalid_token")" : R"(Bearer realm="fathom")");
}

void ClientConnection::refuse_rate_limited(std::chrono::seconds retry_after) {
  audit_kind_ = AuditKind::auth_failed;
  std::pair<std::string, std::string> retry[] = {
      {"Retry-After", std::to_string(retry_after.count())}};
  send_error(429, "rate_limited",
             "Too many failed authentications from this address; wait before trying again.", {},
             retry);
}

void ClientConnection::token_invalidated() {
  CallbackScope scope(*this);
  if (is_stream()) {
    // An open stream (SSE, a WebSocket) must not outlive the token that opened it.
    close();
    return;
  }
  // A response already on its way (a download, a slow answer) finishes: cutting it would leave
  // the client with a truncated body it might take for whole. Nothing more runs on this
  // connection afterwards.
  token_.reset();
  keep_alive_ = false;
}

void ClientConnection::resolve_client() {
  const std::vector<net::Cidr>& trusted = rt_->config.trusted_proxies;
  peer_trusted_ = !trusted.empty() && net::contains_any(trusted, peer_);
  if (!peer_trusted_) {
    client_ = peer_;
    return;
  }
  std::string_view values[16];
  size_t n = 0;
  for (const http::Header& h : head_.headers) {
    if (n < std::size(values) && http::iequals(h.name, "x-forwarded-for")) values[n++] = h.value;
  }
  client_ = net::client_from_forwarded_for({values, n}, trusted, peer_);
}

bool ClientConnection::watch_token_expiry() {
  if (token_ == nullptr || !token_->expires_at) return true;
  const int64_t left = *token_->expires_at - static_cast<int64_t>(std::time(nullptr));
  if (left <= 0) return false;
  if (expiry_timer_ == nullptr) expiry_timer_ = evtimer_new(worker_.base(), on_token_expiry, this);
  timeval tv{static_cast<time_t>(left), 0};
  evtimer_add(expiry_timer_, &tv);
  return true;
}

void ClientConnection::on_token_expiry(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<ClientConnection*>(arg);
  CallbackScope scope(*self);
  // Re-validating would only find the token expired: a stream ends with its token.
  if (self->is_stream()) {
    log::info("stream_closed", {{"client", self->client_},
                                {"reason", "token_expired"},
                                {"request_id", self->request_id_}});
    self->close();
  }
}

void ClientConnection::proceed(const AccessDecision& decision) {
  if (decision.handler == nullptr) {
    start_forward();
    return;
  }
  if (token_ == nullptr && !body_done_) {
    // A public route with a body (POST /v1/pair): a client that keeps failing does not even get
    // its body read.
    std::chrono::seconds retry{0};
    if (worker_.services().authenticator->blocked(client_, &retry)) {
      worker_.metrics().authenticated(metrics::AuthLabel::rate_limited);
      refuse_rate_limited(retry);
      return;
    }
  }
  start_local(decision.handler);
}

void ClientConnection::finish_request(int status, bool keep_alive) {
  log_request(status);
  record_audit(status);
  cleanse_credentials(head_buf_, head_);  // refused or forwarded tokens, too
  auth::cleanse(up_head_);
  up_response_started_ = false;
  resp_done_ = false;
  stream_ = false;
  if (expiry_timer_ != nullptr) evtimer_del(expiry_timer_);
  release_local_body();
  handler_ = nullptr;
  if (!keep_alive || draining_ || closed_) {
    close_after_flush();
    return;
  }
  phase_ = Phase::head;
  bufferevent_enable(bev_, EV_READ);
  timeval idle = to_timeval(rt_->config.timeouts.idle);
  bufferevent_set_timeouts(bev_, nullptr, &idle);
  arm_head_timer();
  process_input();
}

void ClientConnection::arm_head_timer() {
  timer_is_head_ = false;
  set_timer(rt_->config.timeouts.idle);
}

void ClientConnection::set_timer(std::chrono::milliseconds ms) {
  timeval tv = to_timeval(ms);
  evtimer_add(timer_, &tv);
}

void ClientConnection::close_after_flush() {
  if (phase_ == Phase::tunnel) worker_.metrics().open_tunnels.dec();
  phase_ = Phase::closing;
  evtimer_del(timer_);
  if (up_ != nullptr) release_upstream(false);
  if (evbuffer_get_length(bufferevent_get_output(bev_)) == 0) {
    close();
    return;
  }
  // Keep reading (and discarding) so that the peer's pending bytes do not turn our close into
  // a reset that could destroy the error response in flight.
  bufferevent_enable(bev_, EV_READ);
}

void ClientConnection::close() {
  if (closed_) return;
  closed_ = true;
  if (phase_ == Phase::tunnel) worker_.metrics().open_tunnels.dec();
  phase_ = Phase::closing;
  if (local_state_) {
    local_state_->detach();
    local_state_.reset();
  }
  release_local_body();
  if (expiry_timer_ != nullptr) evtimer_del(expiry_timer_);
  if (auth_wait_) {
    auth_wait_->connection = nullptr;  // a late answer finds nobody
    auth_wait_.reset();
  }
  if (up_ != nullptr) {
    bufferevent_free(up_);
    up_ = nullptr;
  }
  // A request cut short (the client left, the lake dropped a stream): still one event. 499, as
  // nginx logs it, when no response had started.
  record_audit(up_response_started_ || phase_ == Phase::tunnel ? resp_status_ : 499);
  evtimer_del(timer_);
  bufferevent_disable(bev_, EV_READ | EV_WRITE);
  worker_.connection_closed(this);
  if (depth_ == 0) delete this;
}

// ---------------------------------------------------------------------------------------------
// Responses made here

void ClientConnection::send_error(int status, std::string_view error, std::string_view message,
                                  std::string_view www_authenticate,
                                  std::span<const std::pair<std::string, std::string>> extra) {
  std::string body = "{\"error\":\"";
  log::append_json_escaped(body, error);
  body += "\",\"message\":\"";
  log::append_json_escaped(body, message);
  body += "\"}";
  // A body we did not read would be taken for the next request: close instead.
  bool keep = keep_alive_ && body_done_;
  if (www_authenticate.empty()) {
    send_local(status, "application/json", body, extra, keep);
    return;
  }
  std::pair<std::string, std::string> auth[] = {
      {"WWW-Authenticate", std::string(www_authenticate)}};
  send_local(status, "application/json", body, auth, keep);
}

void ClientConnection::send_local(int status, std::string_view content_type, std::string_view body,
                                  std::span<const std::pair<std::string, std::string>> extra,
                                  bool keep_alive) {
  worker_.metrics().answered(status);
  keep_alive = keep_alive && body_done_;
  std::string out;
  out.reserve(256 + body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += http::reason_phrase(status);
  out += "\r\n";
  http::append_header(out, "Content-Type", content_type);
  // A 304 may only carry the 200's Content-Length (RFC 9110 §8.6), which a handler does not give.
  if (status != 304) http::append_header(out, "Content-Length", std::to_string(body.size()));
  // Local answers are not cached unless the handler says otherwise (the dashboard's files).
  bool own_caching = false;
  for (const auto& header : extra) own_caching |= http::iequals(header.first, "Cache-Control");
  if (!own_caching) http::append_header(out, "Cache-Control", "no-store");
  if (!request_id_.empty()) http::append_header(out, "X-Request-Id", request_id_);
  for (const auto& [name, value] : extra) http::append_header(out, name, value);
  if (!keep_alive) {
    http::append_header(out, "Connection", "close");
  } else if (head_.version == http::Version::http10) {
    http::append_header(out, "Connection", "keep-alive");
  }
  out += "\r\n";
  if (head_.method != "HEAD") out += body;
  evbuffer_add(bufferevent_get_output(bev_), out.data(), out.size());
  finish_request(status, keep_alive);
}

void ClientConnection::log_request(int status) {
  if (head_.method.empty() || !log::enabled(LogLevelSetting::info)) return;
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_)
                .count();
  // The path only: a query string may carry secrets and never reaches the log.
  log::info("request", {{"method", head_.method},
                        {"path", head_.path},
                        {"status", status},
                        {"client", client_},
                        {"request_id", request_id_},
                        {"duration_ms", ms}});
}

void ClientConnection::record_audit(int status) {
  const AuditKind kind = audit_kind_;
  audit_kind_ = AuditKind::none;
  if (kind == AuditKind::none) return;
  AuditLog* audit = worker_.services().audit();
  if (audit == nullptr) return;
  AuditEvent e;
  e.time = static_cast<UnixTime>(std::time(nullptr));
  e.kind = kind == AuditKind::auth_failed ? "auth.failed" : "request";
  // Failed authentications carry no token id: the token presented may be anyone's guess.
  if (kind == AuditKind::request && token_ != nullptr) e.token_id = token_->token_id;
  e.method.assign(head_.method);
  e.path.assign(head_.path.substr(0, kMaxAuditPath));  // never the query: it may carry secrets
  e.status = status;
  e.client = client_;
  if (const http::Header* ua = head_.find("user-agent")) {
    e.user_agent.assign(ua->value.substr(0, kMaxAuditUserAgent));
  }
  e.request_id = request_id_;
  e.client_request_id = client_request_id_;
  audit->record(std::move(e));
}

}  // namespace fathom
