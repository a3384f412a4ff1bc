// The upstream half of a ClientConnection: the request re-serialized towards the lake, bodies
// streamed both ways under flow control, the response relayed, and Upgrade tunnels.
#include <event2/buffer.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>

#include "auth/secret.h"
#include "core/chunk_pump.h"
#include "core/client_connection.h"
#include "core/credentials.h"
#include "core/flow.h"
#include "core/head_rebase.h"
#include "core/worker.h"
#include "http/forwarded_headers.h"
#include "http/parser.h"
#include "http/serialize.h"
#include "ops/log.h"
#include "tls/tls_bufferevent.h"

namespace fathom {
namespace {

void set_nodelay(bufferevent* bev) {
  int fd = bufferevent_getfd(bev);
  int one = 1;
  if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// An event stream is cut when its token ends; any other response finishes (see
// token_invalidated).
bool is_event_stream(const http::ResponseHead& resp) {
  const http::Header* type = resp.find("content-type");
  if (type == nullptr) return false;
  std::string_view value = type->value.substr(0, type->value.find(';'));
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return http::iequals(value, "text/event-stream");
}

bool retryable(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

// libevent 2.1 reads at most 4 KiB per readiness event (EVBUFFER_MAX_READ), whatever
// bufferevent_set_max_single_read says, so a streamed body cost an ioctl, a readv and two
// epoll_ctl calls per 4 KiB. When the bufferevent's read came back full, the socket probably
// holds more: take up to `budget` bytes of it in one readv. End of stream and errors are left
// for the bufferevent's next read to report through the event callback. A bufferevent keeps
// the end of its input frozen against its users; libevent's own read thaws it the same way.
constexpr size_t kLibeventReadStep = 4096;

void read_more(bufferevent* bev, size_t budget) {
  if (tls::is_tls(bev)) return;  // the socket holds ciphertext; only OpenSSL may read it
  evbuffer* in = bufferevent_get_input(bev);
  if (evbuffer_get_length(in) < kLibeventReadStep || budget < kLibeventReadStep) return;
  evbuffer_unfreeze(in, 0);
  evbuffer_iovec vec[2];
  int n = evbuffer_reserve_space(in, static_cast<ev_ssize_t>(budget), vec, 2);
  if (n > 0) {
    iovec iov[2];
    for (int i = 0; i < n; ++i) iov[i] = {vec[i].iov_base, vec[i].iov_len};
    ssize_t got = readv(bufferevent_getfd(bev), iov, n);
    size_t left = got > 0 ? static_cast<size_t>(got) : 0;
    for (int i = 0; i < n; ++i) {
      vec[i].iov_len = std::min(vec[i].iov_len, left);
      left -= vec[i].iov_len;
    }
    evbuffer_commit_space(in, vec, n);
  }
  evbuffer_freeze(in, 0);
}

// Room left under the high-water mark for bytes read from one side and bound for the other.
size_t flow_room(evbuffer* in, evbuffer* out) {
  size_t held = evbuffer_get_length(in) + evbuffer_get_length(out);
  return held < kFlowHigh ? kFlowHigh - held : 0;
}

}  // namespace

void ClientConnection::on_upstream_read(bufferevent*, void* arg) {
  auto* self = static_cast<ClientConnection*>(arg);
  CallbackScope scope(*self);
  if (self->phase_ == Phase::tunnel) {
    self->pump_tunnel(self->up_, self->bev_);
  } else if (self->phase_ == Phase::forward) {
    self->read_upstream();
  }
}

void ClientConnection::on_upstream_write(bufferevent*, void* arg) {
  auto* self = static_cast<ClientConnection*>(arg);
  CallbackScope scope(*self);
  if (self->phase_ == Phase::tunnel) {
    self->pump_tunnel(self->bev_, self->up_);
  } else if (self->phase_ == Phase::forward && !self->body_done_) {
    self->pump_request_body();
  }
}

void ClientConnection::on_upstream_event(bufferevent*, short what, void* arg) {
  auto* self = static_cast<ClientConnection*>(arg);
  CallbackScope scope(*self);
  if (what & BEV_EVENT_CONNECTED) {
    self->up_connecting_ = false;
    self->up_head_sent_ = std::chrono::steady_clock::now();  // the queued head goes out now
    set_nodelay(self->up_);
    if (self->body_done_ && !self->up_response_started_) {
      self->set_timer(self->rt_->config.timeouts.upstream_response);
    } else {
      evtimer_del(self->timer_);
    }
    return;
  }
  if (self->phase_ == Phase::tunnel) {
    self->tunnel_closed(self->up_);
    return;
  }
  if (self->phase_ != Phase::forward) return;
  if (!self->up_response_started_) {
    bool nothing_received = evbuffer_get_length(bufferevent_get_input(self->up_)) == 0;
    // A pooled connection the lake closed just as we reused it: safe to try once more on a
    // fresh one, but only for a request that cannot have had an effect.
    if (self->up_reused_ && nothing_received && self->body_done_ &&
        self->head_.framing == http::Framing::none && retryable(self->head_.method)) {
      bufferevent_free(self->up_);
      self->up_ = nullptr;
      if (self->connect_upstream(false)) self->request_body_done();
      return;
    }
    if (self->up_connecting_ && (what & BEV_EVENT_ERROR)) {
      // A failed handshake (an untrusted or misnamed certificate, no common protocol) is a
      // configuration problem worth its own line; the client only learns that the lake failed.
      if (std::string why = tls::failure_reason(self->up_); !why.empty()) {
        log::warn("upstream_tls_failed", {{"upstream", self->rt_->config.upstream.url},
                                          {"message", why},
                                          {"request_id", self->request_id_}});
        self->upstream_failed(502, "upstream_unavailable",
                              "The TLS handshake with the lake failed; see the daemon's log.");
        return;
      }
    }
    self->upstream_failed(502, "upstream_unavailable",
                          self->up_connecting_
                              ? "The lake refused the connection; is it running?"
                              : "The lake closed the connection before answering.");
    return;
  }
  self->up_eof_ = true;
  self->pump_response_body();
}

// ---------------------------------------------------------------------------------------------
// Request towards the lake

void ClientConnection::start_forward() {
  phase_ = Phase::forward;
  body_left_ = head_.framing == http::Framing::content_length ? head_.content_length : 0;
  body_chunks_.reset();
  resp_chunks_.reset();
  up_response_started_ = false;
  resp_done_ = false;
  up_eof_ = false;
  build_upstream_head();
  if (!connect_upstream(true)) return;
  if (head_.expect_continue && !body_done_) {
    // We answered the expectation ourselves once the request was authorized; the lake never
    // sees Expect, so it cannot answer 100 itself.
    evbuffer_add(bufferevent_get_output(bev_), "HTTP/1.1 100 Continue\r\n\r\n", 25);
  }
  if (body_done_) {
    request_body_done();
  } else {
    timeval idle = to_timeval(rt_->config.timeouts.idle);
    bufferevent_set_timeouts(bev_, &idle, &idle);  // a stalled upload ends after the idle timeout
    pump_request_body();
  }
}

bool ClientConnection::connect_upstream(bool allow_pooled) {
  const Runtime& rt = *rt_;
  up_ =
      allow_pooled ? worker_.upstream_pool().take(rt.upstream_addr, rt.upstream_addr_len) : nullptr;
  if (up_ != nullptr && tls::context_of(up_) != rt.upstream_tls.get()) {
    // Pooled under another runtime (http then https, or another CA file): start afresh.
    bufferevent_free(up_);
    up_ = nullptr;
  }
  up_reused_ = up_ != nullptr;
  up_connecting_ = false;
  if (up_ == nullptr) {
    up_ = rt.upstream_tls != nullptr
              ? tls::connect_bufferevent(worker_.base(), rt.upstream_tls.get(),
                                         rt.config.upstream.host)
              : bufferevent_socket_new(worker_.base(), -1, BEV_OPT_CLOSE_ON_FREE);
    if (up_ == nullptr ||
        bufferevent_socket_connect(up_, reinterpret_cast<const sockaddr*>(&rt.upstream_addr),
                                   static_cast<int>(rt.upstream_addr_len)) < 0) {
      upstream_failed(502, "upstream_unavailable", "The lake refused the connection.");
      return false;
    }
    up_connecting_ = true;
    set_timer(rt.config.timeouts.upstream_connect);
  }
  bufferevent_setcb(up_, on_upstream_read, on_upstream_write, on_upstream_event, this);
  bufferevent_setwatermark(up_, EV_READ, 0,
                           std::max(kFlowHigh, rt.config.limits.max_header_bytes + 2));
  bufferevent_setwatermark(up_, EV_WRITE, kFlowLow, 0);
  bufferevent_set_max_single_read(up_, kMaxSingleIo);
  bufferevent_set_max_single_write(up_, kMaxSingleIo);
  evbuffer* out = bufferevent_get_output(up_);
  up_head_sent_ = std::chrono::steady_clock::now();
  if (up_reused_ && body_done_ && !head_.upgrade && evbuffer_get_length(out) == 0 &&
      !tls::is_tls(up_)) {
    // Only a head to send on a connection known to be open: send it now. Waiting for the loop
    // to report the socket writable costs a loop turn and two epoll_ctl calls per request.
    // What the socket does not take goes the usual way; so does a failed send, which the
    // bufferevent's own write then reports to on_upstream_event (and its retry).
    bufferevent_disable(up_, EV_WRITE);
    bufferevent_enable(up_, EV_READ);
    ssize_t n =
        send(bufferevent_getfd(up_), up_head_.data(), up_head_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    size_t sent = n > 0 ? static_cast<size_t>(n) : 0;
    if (sent < up_head_.size()) {
      evbuffer_add(out, up_head_.data() + sent, up_head_.size() - sent);
      bufferevent_enable(up_, EV_WRITE);
    }
    return true;
  }
  bufferevent_enable(up_, EV_READ | EV_WRITE);
  evbuffer_add(out, up_head_.data(), up_head_.size());
  return true;
}

void ClientConnection::build_upstream_head() {
  const Config& cfg = rt_->config;
  std::string& out = up_head_;
  out.clear();
  out += head_.method;
  out += ' ';
  out += head_.path;
  if (!head_.query.empty()) {
    out += '?';
    out += head_.query;
  }
  out += " HTTP/1.1\r\n";
  http::append_header(out, "Host",
                      head_.host.empty() ? std::string_view(cfg.upstream.authority) : head_.host);
  const http::ForwardRules rules{cfg.upstream.forward_authorization,
                                 cfg.limits.allow_underscores_in_headers};
  for (const http::Header& h : head_.headers) {
    if (http::dropped_request_header(h.name, rules)) continue;
    if (http::is_listed_in_connection(head_, h.name)) continue;
    http::append_header(out, h.name, h.value);
  }
  // The proxy is the front door: what the client claims about earlier hops is not kept, only
  // what a trusted proxy in front said (resolve_client).
  http::append_header(out, "X-Forwarded-For", client_);
  http::append_header(out, "X-Forwarded-Proto", tls::is_tls(bev_) ? "https" : "http");
  if (!head_.host.empty()) http::append_header(out, "X-Forwarded-Host", head_.host);
  http::append_header(out, "X-Request-Id", request_id_);
  if (!client_request_id_.empty()) {
    http::append_header(out, "X-Client-Request-Id", client_request_id_);
  }
  if (token_ != nullptr) {
    http::append_header(out, "X-Fathom-Token-Id", token_->token_id);
    http::append_header(out, "X-Fathom-Token-Name", token_->name);
    out += "X-Fathom-Scopes: ";
    for (size_t i = 0; i < token_->scopes.size(); ++i) {
      if (i > 0) out += ' ';
      out += token_->scopes[i];
    }
    out += "\r\n";
  }
  if (head_.framing == http::Framing::content_length) {
    http::append_header(out, "Content-Length", std::to_string(head_.content_length));
  } else if (head_.framing == http::Framing::chunked) {
    http::append_header(out, "Transfer-Encoding", "chunked");
  } else if (head_.find("content-length") != nullptr) {
    // "Content-Length: 0" parses as no body; say it again, since some servers want a length
    // on every POST.
    http::append_header(out, "Content-Length", "0");
  }
  if (head_.upgrade) {
    http::append_header(out, "Connection", "upgrade");
    if (const http::Header* up = head_.find("upgrade"))
      http::append_header(out, "Upgrade", up->value);
  }
  out += "\r\n";
}

void ClientConnection::pump_request_body() {
  if (body_done_ || up_ == nullptr) return;
  evbuffer* in = bufferevent_get_input(bev_);
  evbuffer* out = bufferevent_get_output(up_);
  read_more(bev_, flow_room(in, out));
  while (!body_done_) {
    if (evbuffer_get_length(out) >= kFlowHigh) {
      bufferevent_disable(bev_, EV_READ);  // on_upstream_write resumes us
      return;
    }
    size_t avail = evbuffer_get_length(in);
    if (avail == 0) break;
    if (head_.framing == http::Framing::content_length) {
      size_t n = static_cast<size_t>(std::min<uint64_t>({avail, body_left_, kFlowHigh}));
      evbuffer_remove_buffer(in, out, n);
      body_left_ -= n;
      if (body_left_ == 0) body_done_ = true;
      continue;
    }
    http::ChunkedDecoder::Step step = chunk_step(body_chunks_, in, out, true);
    using Kind = http::ChunkedDecoder::Kind;
    if (step.kind == Kind::need_more) break;
    if (step.kind == Kind::done) body_done_ = true;
    if (step.kind == Kind::refused ||
        body_chunks_.payload_bytes() > rt_->config.limits.max_body_bytes) {
      // The lake already has part of this message: its connection cannot be trusted again.
      release_upstream(false);
      keep_alive_ = false;
      body_done_ = true;  // nothing more will be read; the error ends the connection
      if (step.kind == Kind::refused) {
        http::RefusalInfo info = http::describe(step.refusal);
        log::info("request_refused", {{"client", client_}, {"reason", http::name(step.refusal)}});
        if (!up_response_started_) {
          body_done_ = false;
          send_error(info.status, info.error, info.message);
        } else {
          close();
        }
      } else if (!up_response_started_) {
        body_done_ = false;
        send_error(413, "payload_too_large", "The request body is larger than this proxy allows.");
      } else {
        close();
      }
      return;
    }
  }
  if (body_done_) {
    request_body_done();
  } else {
    bufferevent_enable(bev_, EV_READ);
  }
}

void ClientConnection::request_body_done() {
  // Reading stays on: bytes of a pipelined request wait in the input (bounded by its
  // watermark) until this response is done, and a client that resets is noticed at once.
  // Turning it off and on again cost two epoll_ctl calls per request.
  bufferevent_set_timeouts(bev_, nullptr, nullptr);
  if (!up_connecting_ && !up_response_started_) {
    set_timer(rt_->config.timeouts.upstream_response);
  }
}

// ---------------------------------------------------------------------------------------------
// Response from the lake

void ClientConnection::read_upstream() {
  read_more(up_, flow_room(bufferevent_get_input(up_), bufferevent_get_output(bev_)));
  if (!up_response_started_ && !read_response_head()) return;
  pump_response_body();
}

bool ClientConnection::read_response_head() {
  evbuffer* in = bufferevent_get_input(up_);
  for (;;) {
    size_t len = evbuffer_get_length(in);
    if (len == 0) return false;
    size_t want = std::min(len, rt_->config.limits.max_header_bytes + 2);
    const char* p = reinterpret_cast<const char*>(evbuffer_pullup(in, static_cast<ssize_t>(want)));
    http::ParseResult r =
        http::parse_response_head({p, want}, rt_->head_limits, head_.method, resp_);
    if (r.status == http::ParseStatus::need_more) return false;
    if (r.status == http::ParseStatus::refused) {
      log::warn("upstream_bad_response",
                {{"reason", http::name(r.refusal)}, {"request_id", request_id_}});
      upstream_failed(502, "upstream_unavailable", "The lake sent a malformed response.");
      return false;
    }
    resp_buf_.assign(p, r.consumed);
    rebase(resp_, Rebase{p, r.consumed, resp_buf_.data()});
    evbuffer_drain(in, r.consumed);
    // The lake answered, so no retry will send the head again: wipe the forwarded token.
    cleanse_credentials(head_buf_, head_);
    auth::cleanse(up_head_);
    if (resp_.status == 101 || resp_.status >= 200) {
      worker_.metrics().upstream_response.observe(std::chrono::steady_clock::now() - up_head_sent_);
    }
    if (resp_.status == 101) {
      if (!head_.upgrade) {
        upstream_failed(502, "upstream_unavailable", "The lake switched protocols unasked.");
        return false;
      }
      start_tunnel();
      return false;
    }
    if (resp_.status >= 100 && resp_.status < 200) continue;  // interim: 100 was ours to send
    evtimer_del(timer_);
    send_response_head();
    return up_ != nullptr && !resp_done_;
  }
}

void ClientConnection::send_response_head() {
  stream_ = resp_.framing != http::Framing::none && is_event_stream(resp_);
  if (stream_ && !watch_token_expiry()) {
    release_upstream(false);
    keep_alive_ = false;
    refuse_credentials("The token expired before its stream began.", true);
    return;
  }
  bool client_http10 = head_.version == http::Version::http10;
  resp_chunked_out_ = false;
  resp_close_out_ = false;
  resp_left_ = resp_.content_length;
  if (resp_.framing == http::Framing::chunked || resp_.framing == http::Framing::until_close) {
    // An HTTP/1.1 client gets chunks (so the connection stays usable and every chunk is passed
    // on as it arrives); an HTTP/1.0 client can only be told the end by a close.
    if (client_http10) {
      resp_close_out_ = true;
    } else {
      resp_chunked_out_ = true;
    }
  }
  bool keep = keep_alive_ && !resp_close_out_ && !draining_;
  std::string out;
  out.reserve(512);
  out += "HTTP/1.1 ";
  out += std::to_string(resp_.status);
  out += ' ';
  out += resp_.reason.empty() ? http::reason_phrase(resp_.status) : resp_.reason;
  out += "\r\n";
  for (const http::Header& h : resp_.headers) {
    if (http::is_hop_by_hop(h.name) || http::iequals(h.name, "x-request-id")) continue;
    // A bodiless response (HEAD, 304) keeps its Content-Length: it describes the resource.
    if (http::iequals(h.name, "content-length") && resp_.framing != http::Framing::none) continue;
    if (http::is_listed_in_connection(resp_, h.name)) continue;
    http::append_header(out, h.name, h.value);
  }
  if (resp_.framing == http::Framing::content_length) {
    http::append_header(out, "Content-Length", std::to_string(resp_.content_length));
  } else if (resp_chunked_out_) {
    http::append_header(out, "Transfer-Encoding", "chunked");
  }
  http::append_header(out, "X-Request-Id", request_id_);
  if (!keep) {
    http::append_header(out, "Connection", "close");
  } else if (client_http10) {
    http::append_header(out, "Connection", "keep-alive");
  }
  out += "\r\n";
  keep_alive_ = keep;
  evbuffer_add(bufferevent_get_output(bev_), out.data(), out.size());
  up_response_started_ = true;
  resp_status_ = resp_.status;
  worker_.metrics().answered(resp_status_);  // now: a stream may never end cleanly
  if (resp_.framing == http::Framing::none) {
    resp_done_ = true;
    response_done();
  }
}

void ClientConnection::pump_response_body() {
  if (resp_done_ || up_ == nullptr) return;
  evbuffer* in = bufferevent_get_input(up_);
  evbuffer* out = bufferevent_get_output(bev_);
  while (!resp_done_) {
    if (evbuffer_get_length(out) >= kFlowHigh) {
      bufferevent_disable(up_, EV_READ);  // on_client_write resumes us
      return;
    }
    size_t avail = evbuffer_get_length(in);
    if (avail == 0) break;
    switch (resp_.framing) {
      case http::Framing::content_length: {
        size_t n = static_cast<size_t>(std::min<uint64_t>({avail, resp_left_, kFlowHigh}));
        evbuffer_remove_buffer(in, out, n);
        resp_left_ -= n;
        if (resp_left_ == 0) resp_done_ = true;
        break;
      }
      case http::Framing::until_close: {
        size_t n = std::min(avail, kFlowHigh);
        if (resp_chunked_out_) {
          char line[24];
          int len = snprintf(line, sizeof line, "%zx\r\n", n);
          evbuffer_add(out, line, static_cast<size_t>(len));
        }
        evbuffer_remove_buffer(in, out, n);
        if (resp_chunked_out_) evbuffer_add(out, "\r\n", 2);
        break;
      }
      case http::Framing::chunked: {
        http::ChunkedDecoder::Step step = chunk_step(resp_chunks_, in, out, resp_chunked_out_);
        using Kind = http::ChunkedDecoder::Kind;
        if (step.kind == Kind::refused) {
          log::warn("upstream_bad_response",
                    {{"reason", http::name(step.refusal)}, {"request_id", request_id_}});
          close();  // the client has a partial body; closing is the only honest signal left
          return;
        }
        if (step.kind == Kind::done) resp_done_ = true;
        if (step.kind == Kind::need_more) avail = 0;
        break;
      }
      case http::Framing::none:
        resp_done_ = true;
        break;
    }
    if (avail == 0) break;
  }
  if (!resp_done_ && up_eof_ && evbuffer_get_length(in) == 0) {
    if (resp_.framing != http::Framing::until_close) {
      log::warn("upstream_truncated", {{"request_id", request_id_}});
      close();
      return;
    }
    if (resp_chunked_out_) evbuffer_add(out, "0\r\n\r\n", 5);
    resp_done_ = true;
  }
  if (resp_done_) {
    response_done();
  } else if (!up_eof_) {
    bufferevent_enable(up_, EV_READ);
  }
}

void ClientConnection::response_done() {
  bool reusable = body_done_ && resp_.keep_alive && !up_eof_ &&
                  resp_.framing != http::Framing::until_close &&
                  evbuffer_get_length(bufferevent_get_input(up_)) == 0 &&
                  evbuffer_get_length(bufferevent_get_output(up_)) == 0;
  release_upstream(reusable);
  // If the lake answered before the whole request body arrived, the rest of that body is still
  // on its way from the client and would be read as the next request.
  if (!body_done_) keep_alive_ = false;
  finish_request(resp_status_, keep_alive_ && !resp_close_out_);
}

void ClientConnection::upstream_failed(int status, std::string_view error,
                                       std::string_view message) {
  log::warn("upstream_failed",
            {{"status", status}, {"message", message}, {"request_id", request_id_}});
  release_upstream(false);
  if (up_response_started_) {
    close();
    return;
  }
  send_error(status, error, message);
}

void ClientConnection::release_upstream(bool reusable) {
  evtimer_del(timer_);
  if (up_ == nullptr) return;
  if (reusable && !worker_.draining()) {
    worker_.upstream_pool().give_back(up_, rt_->upstream_addr, rt_->upstream_addr_len,
                                      rt_->config.upstream.max_idle_connections,
                                      rt_->config.timeouts.idle);
  } else {
    bufferevent_free(up_);
  }
  up_ = nullptr;
}

// ---------------------------------------------------------------------------------------------
// Upgrade tunnels: after the lake's 101, bytes flow both ways untouched until one side closes.

void ClientConnection::start_tunnel() {
  evtimer_del(timer_);
  if (!watch_token_expiry()) {
    release_upstream(false);
    keep_alive_ = false;
    refuse_credentials("The token expired before its tunnel opened.", true);
    return;
  }
  std::string out = "HTTP/1.1 101 Switching Protocols\r\n";
  for (const http::Header& h : resp_.headers) {
    if (http::iequals(h.name, "connection") || http::iequals(h.name, "keep-alive") ||
        http::iequals(h.name, "x-request-id") || http::iequals(h.name, "transfer-encoding") ||
        http::iequals(h.name, "content-length")) {
      continue;
    }
    http::append_header(out, h.name, h.value);
  }
  http::append_header(out, "Connection", "upgrade");
  http::append_header(out, "X-Request-Id", request_id_);
  out += "\r\n";
  evbuffer_add(bufferevent_get_output(bev_), out.data(), out.size());
  phase_ = Phase::tunnel;
  up_response_started_ = true;
  worker_.metrics().answered(101);
  worker_.metrics().open_tunnels.inc();
  log_request(101);
  record_audit(101);  // now, not when the tunnel ends: it may stay open for hours
  // A tunnel may stay quiet for hours (a WebSocket waiting for events): no read timeouts.
  bufferevent_set_timeouts(bev_, nullptr, nullptr);
  bufferevent_set_timeouts(up_, nullptr, nullptr);
  bufferevent_enable(bev_, EV_READ);
  bufferevent_enable(up_, EV_READ);
  pump_tunnel(bev_, up_);
  if (!closed_) pump_tunnel(up_, bev_);
}

void ClientConnection::pump_tunnel(bufferevent* from, bufferevent* to) {
  if (from == nullptr || to == nullptr) return;
  evbuffer* out = bufferevent_get_output(to);
  if (evbuffer_get_length(out) >= kFlowHigh) {
    bufferevent_disable(from, EV_READ);  // the write callback of `to` resumes us
    return;
  }
  evbuffer_remove_buffer(bufferevent_get_input(from), out, kFlowHigh);
  bufferevent_enable(from, EV_READ);
}

void ClientConnection::tunnel_closed(bufferevent* which) {
  if (which == up_) {
    // Pass on what the lake said last (a WebSocket close frame), then end the client side.
    evbuffer_add_buffer(bufferevent_get_output(bev_), bufferevent_get_input(up_));
    bufferevent_free(up_);
    up_ = nullptr;
    close_after_flush();
    return;
  }
  close();
}

}  // namespace fathom
