#include "lake_connection.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>

#include "http/parser.h"
#include "pattern_stream.h"
#include "slow_response.h"
#include "sse_stream.h"

namespace fathom::lake {

namespace {

// The lake streams bodies, so it accepts any size; the other head limits are the parser's.
const http::HeadLimits& head_limits() {
  static const http::HeadLimits limits = [] {
    http::HeadLimits l;
    l.max_body_bytes = UINT64_MAX;
    return l;
  }();
  return limits;
}

// The parser reports a head over its limit as soon as it sees one; this margin only covers
// tolerated leading empty lines.
const size_t kHeadWindow = head_limits().max_head_bytes + 4096;

// Unread input above this stops reading from the socket (libevent resumes it once drained).
constexpr size_t kInputHighWater = 256 * 1024;

// After "Connection: close", how long to keep reading (and discarding) what the client still
// sends. Closing with unread input makes the kernel send RST, which can destroy the response
// before the client reads it (the reason for nginx's lingering_close).
constexpr int64_t kLingerMs = 2000;

}  // namespace

void LakeConnection::accept(LakeServer& server, evutil_socket_t fd) {
  bufferevent* bev = bufferevent_socket_new(server.base, fd, BEV_OPT_CLOSE_ON_FREE);
  if (bev == nullptr) {
    evutil_closesocket(fd);
    return;
  }
  // Small responses and SSE events must leave at once, not wait for Nagle.
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  new LakeConnection(server, bev);  // owned by server.connections; frees itself in reap()
}

void LakeConnection::close_all(LakeServer& server) {
  while (!server.connections.empty()) delete *server.connections.begin();
}

LakeConnection::LakeConnection(LakeServer& server, bufferevent* bev) : server_(server), bev_(bev) {
  server_.connections.insert(this);
  bufferevent_setcb(bev_, on_read, on_write, on_event, this);
  bufferevent_setwatermark(bev_, EV_READ, 0, kInputHighWater);
  // The write callback runs whenever the output is at or below this, which is when producers
  // refill and when a closing connection checks that everything is flushed.
  bufferevent_setwatermark(bev_, EV_WRITE, kOutputLowWater, 0);
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
}

LakeConnection::~LakeConnection() {
  server_.connections.erase(this);
  if (timer_ != nullptr) event_free(timer_);
  bufferevent_free(bev_);
}

// ---- libevent callbacks: each ends with reap() ----

void LakeConnection::on_read(bufferevent* /*bev*/, void* self) {
  auto* c = static_cast<LakeConnection*>(self);
  switch (c->state_) {
    case State::reading_head:
    case State::reading_body:
      c->process_input();
      break;
    case State::websocket:
      c->feed_websocket();
      break;
    case State::lingering: {
      evbuffer* in = bufferevent_get_input(c->bev_);
      evbuffer_drain(in, evbuffer_get_length(in));
      break;
    }
    case State::streaming:  // the next request waits its turn
    case State::closing:
    case State::dead:
      break;
  }
  c->reap();
}

void LakeConnection::on_write(bufferevent* /*bev*/, void* self) {
  auto* c = static_cast<LakeConnection*>(self);
  evbuffer* out = bufferevent_get_output(c->bev_);
  switch (c->state_) {
    case State::closing:
      if (evbuffer_get_length(out) == 0) c->begin_linger();
      break;
    case State::streaming:
      c->apply(c->stream_->on_writable(out));
      if (c->state_ == State::reading_head) c->process_input();
      break;
    case State::websocket:
      if (c->paused_) c->feed_websocket();
      break;
    case State::reading_head:
    case State::reading_body:
      if (c->paused_) c->process_input();
      break;
    case State::lingering:
    case State::dead:
      break;
  }
  c->reap();
}

void LakeConnection::on_event(bufferevent* /*bev*/, short what, void* self) {
  auto* c = static_cast<LakeConnection*>(self);
  if ((what & BEV_EVENT_ERROR) != 0) {
    c->state_ = State::dead;
  } else if ((what & BEV_EVENT_EOF) != 0) {
    c->peer_closed_ = true;
    switch (c->state_) {
      case State::reading_head:
        c->process_input();  // answers complete requests still buffered, then closes
        break;
      case State::reading_body:  // the body will never be complete
      case State::websocket:     // closed without a close frame
      case State::lingering:
        c->state_ = State::dead;
        break;
      case State::streaming:  // a half-close: the response may still be read
      case State::closing:
      case State::dead:
        break;
    }
  }
  c->reap();
}

void LakeConnection::on_timer(evutil_socket_t /*fd*/, short /*what*/, void* self) {
  auto* c = static_cast<LakeConnection*>(self);
  if (c->state_ == State::lingering) {
    c->state_ = State::dead;
  } else if (c->state_ == State::streaming) {
    c->apply(c->stream_->on_timer(bufferevent_get_output(c->bev_)));
    if (c->state_ == State::reading_head) c->process_input();
  }
  c->reap();
}

void LakeConnection::reap() {
  if (state_ == State::dead) delete this;
}

// ---- requests ----

void LakeConnection::process_input() {
  evbuffer* in = bufferevent_get_input(bev_);
  evbuffer* out = bufferevent_get_output(bev_);
  paused_ = false;
  while (state_ == State::reading_head || state_ == State::reading_body) {
    if (state_ == State::reading_head) {
      // A client pipelining faster than it reads must not grow our output without bound.
      if (evbuffer_get_length(out) >= kOutputHighWater) {
        paused_ = true;
        return;
      }
      if (!read_head()) break;
    }
    BodyReader::Status status = body_.consume(in);
    if (status == BodyReader::Status::need_more) break;
    if (status == BodyReader::Status::refused) {
      refuse(body_.refusal());
      return;
    }
    respond();  // leaves state_ at reading_head for the next request, or elsewhere
  }
  if (peer_closed_) {
    // Nothing more will arrive: a partial request can never be answered.
    if (state_ == State::reading_body) {
      state_ = State::dead;
    } else if (state_ == State::reading_head) {
      close_after_flush();
    }
  }
}

bool LakeConnection::read_head() {
  evbuffer* in = bufferevent_get_input(bev_);
  const size_t avail = evbuffer_get_length(in);
  if (avail == 0) return false;
  const size_t window = std::min(avail, kHeadWindow);
  const char* p =
      reinterpret_cast<const char*>(evbuffer_pullup(in, static_cast<ev_ssize_t>(window)));
  http::ParseResult result = http::parse_request_head({p, window}, head_limits(), head_);
  if (result.status == http::ParseStatus::need_more) {
    if (window >= kHeadWindow) refuse(http::Refusal::headers_too_large);
    return false;
  }
  if (result.status == http::ParseStatus::refused) {
    refuse(result.refusal);
    return false;
  }
  begin_request();  // while the head's bytes are still in the buffer
  evbuffer_drain(in, result.consumed);
  state_ = State::reading_body;
  return true;
}

void LakeConnection::begin_request() {
  ++server_.requests;
  route_ = route_request(head_);
  shape_ = ReplyShape{.keep_alive = head_.keep_alive,
                      .http10 = head_.version == http::Version::http10,
                      .head_only = head_.method == "HEAD"};
  echo_.reset();
  if (server_.recorder || route_.kind == RouteKind::echo) {
    nlohmann::ordered_json description = describe_request(head_);
    if (server_.recorder) server_.recorder->record(description);
    if (route_.kind == RouteKind::echo) echo_ = std::move(description);
  }
  if (!server_.quiet) {
    log_line_.assign(head_.method);
    log_line_.push_back(' ');
    log_line_.append(head_.target);
  }
  body_.start(head_.framing, head_.content_length);
  // An HTTP/1.0 client cannot have sent Expect: 100-continue meaningfully (RFC 9110 10.1.1).
  if (head_.expect_continue && body_.expects_body() && !shape_.http10) {
    send("HTTP/1.1 100 Continue\r\n\r\n");
  }
}

void LakeConnection::respond() {
  switch (route_.kind) {
    case RouteKind::echo: {
      nlohmann::ordered_json& j = *echo_;
      j["body_bytes"] = body_.bytes();
      j["body_sha256"] = body_.sha256_hex();
      std::string json = dump_json(j);
      echo_.reset();
      reply(200, json);
      return;
    }
    case RouteKind::stats: {
      auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::steady_clock::now() - server_.started)
                        .count();
      char json[128];
      int n = std::snprintf(
          json, sizeof json, R"({"status":"ok","requests":%llu,"uptime_seconds":%lld})",
          static_cast<unsigned long long>(server_.requests), static_cast<long long>(uptime));
      reply(200, std::string_view(json, static_cast<size_t>(n)));
      return;
    }
    case RouteKind::healthz:
      reply(200, R"({"status":"ok"})");
      return;
    case RouteKind::status:
      reply(route_.status, "{\"status\":" + std::to_string(route_.status) + "}");
      return;
    case RouteKind::bad_request:
      reply(400, error_json("invalid_request", route_.error));
      return;
    case RouteKind::upgrade_required:
      reply(426, error_json("upgrade_required", "/ws needs a WebSocket upgrade (RFC 6455)"),
            "Upgrade: websocket\r\n");
      return;
    case RouteKind::slow:
      respond_stream(
          200,
          std::make_unique<SlowResponse>(
              json_reply(200, "{\"delayed_ms\":" + std::to_string(route_.delay_ms) + "}", shape_),
              route_.delay_ms));
      return;
    case RouteKind::download: {
      // HTTP/1.0 has no chunked coding; the length is known anyway.
      bool chunked = route_.chunked && !shape_.http10;
      std::string head =
          response_head(200, "application/octet-stream",
                        chunked ? BodyFraming::chunked : BodyFraming::length, route_.bytes, shape_);
      if (shape_.head_only) return respond_head_only(200, head);
      respond_stream(200, std::make_unique<PatternStream>(std::move(head), route_.bytes, chunked,
                                                          route_.chunk_size));
      return;
    }
    case RouteKind::close_delimited: {
      shape_.keep_alive = false;
      std::string head =
          response_head(200, "application/octet-stream", BodyFraming::until_close, 0, shape_);
      if (shape_.head_only) return respond_head_only(200, head);
      respond_stream(200, std::make_unique<PatternStream>(std::move(head), route_.bytes, false, 0));
      return;
    }
    case RouteKind::sse: {
      bool chunked = !shape_.http10;
      if (!chunked) shape_.keep_alive = false;  // the stream then ends by closing
      std::string head = response_head(200, "text/event-stream",
                                       chunked ? BodyFraming::chunked : BodyFraming::until_close, 0,
                                       shape_, "Cache-Control: no-cache\r\n");
      respond_stream(200, std::make_unique<SseStream>(std::move(head), route_.events,
                                                      route_.interval_ms, chunked));
      return;
    }
    case RouteKind::websocket:
      send(
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Accept: " +
          route_.ws_accept + "\r\n\r\n");
      log(101);
      state_ = State::websocket;
      ws_ = std::make_unique<WebSocketEcho>();
      feed_websocket();  // frames may have come right behind the handshake
      return;
    case RouteKind::drop:
      log(0);
      close_after_flush();  // earlier responses still go out; this one never does
      return;
  }
}

void LakeConnection::reply(int status, std::string_view json, std::string_view extra_headers) {
  send(json_reply(status, json, shape_, extra_headers));
  log(status);
  finish_response();
}

void LakeConnection::respond_stream(int status, std::unique_ptr<ResponseStream> stream) {
  log(status);
  state_ = State::streaming;
  stream_ = std::move(stream);
  apply(stream_->start(bufferevent_get_output(bev_)));
}

void LakeConnection::respond_head_only(int status, std::string_view head) {
  send(head);
  log(status);
  finish_response();
}

void LakeConnection::refuse(http::Refusal refusal) {
  http::RefusalInfo info = http::describe(refusal);
  shape_ = ReplyShape{.keep_alive = false};
  log_line_ = "malformed request (" + std::string(http::name(refusal)) + ")";
  send(json_reply(info.status, error_json(info.error, info.message), shape_));
  log(info.status);
  close_after_flush();
}

void LakeConnection::send(std::string_view bytes) {
  bufferevent_write(bev_, bytes.data(), bytes.size());
}

void LakeConnection::apply(StreamStep step) {
  if (step.done) {
    stream_.reset();
    if (timer_ != nullptr) evtimer_del(timer_);
    finish_response();
  } else if (step.timer_ms >= 0) {
    arm_timer(step.timer_ms);
  }
}

void LakeConnection::finish_response() {
  // After EOF too: process_input() answers what is already buffered, then closes.
  if (shape_.keep_alive) {
    state_ = State::reading_head;
  } else {
    close_after_flush();
  }
}

void LakeConnection::close_after_flush() {
  state_ = State::closing;
  bufferevent_disable(bev_, EV_READ);
  if (evbuffer_get_length(bufferevent_get_output(bev_)) == 0) begin_linger();
}

void LakeConnection::begin_linger() {
  if (peer_closed_) {
    state_ = State::dead;
    return;
  }
  // FIN tells the client the response is complete (needed for close-delimited bodies and
  // /drop); reading on until its FIN keeps unread input from turning our close into a RST.
  shutdown(bufferevent_getfd(bev_), SHUT_WR);
  state_ = State::lingering;
  evbuffer* in = bufferevent_get_input(bev_);
  evbuffer_drain(in, evbuffer_get_length(in));
  bufferevent_enable(bev_, EV_READ);
  arm_timer(kLingerMs);
}

void LakeConnection::feed_websocket() {
  evbuffer* out = bufferevent_get_output(bev_);
  WebSocketEcho::Status status = ws_->feed(bufferevent_get_input(bev_), out);
  if (status == WebSocketEcho::Status::closing) {
    close_after_flush();
    return;
  }
  paused_ = evbuffer_get_length(out) >= kOutputHighWater;
}

void LakeConnection::arm_timer(int64_t ms) {
  if (timer_ == nullptr) timer_ = evtimer_new(server_.base, on_timer, this);
  timeval tv{.tv_sec = static_cast<time_t>(ms / 1000),
             .tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000)};
  evtimer_add(timer_, &tv);
}

void LakeConnection::log(int status) {
  if (server_.quiet) return;
  if (status == 0) {
    std::fprintf(stderr, "lake: %s -> dropped\n", log_line_.c_str());
  } else {
    std::fprintf(stderr, "lake: %s -> %d\n", log_line_.c_str(), status);
  }
}

}  // namespace fathom::lake
