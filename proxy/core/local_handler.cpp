// Requests answered by a route-handler plugin: the body is read whole (bounded), the handler is
// called with the identity already checked, and its answer may come later from any thread.
//
// A body read whole is memory a client can hold, so it is bounded three ways: per request
// (limits.max_handler_body, and limits.max_public_body for a route answered without a token),
// per worker (limits.max_local_body_bytes: 503 overloaded beyond), and in time (the idle
// timeout between reads, and timeouts.body_read for the whole body).
#include <event2/buffer.h>

#include <algorithm>

#include "core/chunk_pump.h"
#include "core/client_connection.h"
#include "core/flow.h"
#include "core/local_request.h"
#include "core/request_view.h"
#include "core/worker.h"

namespace fathom {

void LocalResponder::respond(Response response) {
  if (state_->answered.exchange(true)) return;  // exactly once, whoever calls
  std::shared_ptr<LocalRequestState> state = state_;
  state->worker->post([state, r = std::move(response)]() {
    if (state->connection != nullptr) state->connection->local_response(r);
  });
}

void ClientConnection::start_local(RouteHandler* handler) {
  phase_ = Phase::local_body;
  handler_ = handler;
  if (!local_body_) local_body_.reset(evbuffer_new());
  evbuffer_drain(local_body_.get(), evbuffer_get_length(local_body_.get()));
  body_left_ = head_.framing == http::Framing::content_length ? head_.content_length : 0;
  body_chunks_.reset();
  const LimitsConfig& limits = rt_->config.limits;
  local_body_limit_ = token_ == nullptr ? std::min(limits.max_public_body, limits.max_handler_body)
                                        : limits.max_handler_body;
  if (head_.framing == http::Framing::content_length && head_.content_length > local_body_limit_) {
    keep_alive_ = false;
    send_error(413, "payload_too_large",
               "The request body is larger than this route accepts (" +
                   std::to_string(local_body_limit_) + " bytes).");
    return;
  }
  if (!body_done_) {
    // The same idle timeout as a forwarded upload, and a deadline for the whole body, so that a
    // client trickling bytes cannot hold the buffer either.
    timeval idle = to_timeval(rt_->config.timeouts.idle);
    bufferevent_set_timeouts(bev_, &idle, &idle);
    timer_is_head_ = false;
    set_timer(rt_->config.timeouts.body_read);
  }
  if (head_.expect_continue && !body_done_) {
    evbuffer_add(bufferevent_get_output(bev_), "HTTP/1.1 100 Continue\r\n\r\n", 25);
  }
  pump_local_body();
}

bool ClientConnection::hold_local_body(size_t n) {
  if (worker_.take_local_body_bytes(n, rt_->config.limits.max_local_body_bytes)) {
    local_body_held_ += n;
    return true;
  }
  worker_.metrics().overloaded.add();
  keep_alive_ = false;
  static const std::pair<std::string, std::string> kRetry[] = {{"Retry-After", "5"}};
  send_error(503, "overloaded",
             "The proxy holds as many request bodies as it may; try again in a few seconds.", {},
             kRetry);
  return false;
}

void ClientConnection::release_local_body() {
  if (local_body_held_ == 0) return;
  worker_.give_back_local_body_bytes(local_body_held_);
  local_body_held_ = 0;
  if (local_body_) evbuffer_drain(local_body_.get(), evbuffer_get_length(local_body_.get()));
}

void ClientConnection::pump_local_body() {
  evbuffer* in = bufferevent_get_input(bev_);
  evbuffer* body = local_body_.get();
  const size_t limit = local_body_limit_;
  while (!body_done_) {
    size_t avail = evbuffer_get_length(in);
    if (avail == 0) return;  // more arrives through on_client_read
    if (head_.framing == http::Framing::content_length) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(avail, body_left_));
      if (!hold_local_body(n)) return;
      evbuffer_remove_buffer(in, body, n);
      body_left_ -= n;
      body_done_ = body_left_ == 0;
      continue;
    }
    const size_t before = evbuffer_get_length(body);
    http::ChunkedDecoder::Step step = chunk_step(body_chunks_, in, body, false);
    const size_t added = evbuffer_get_length(body) - before;
    if (added > 0 && !hold_local_body(added)) return;
    if (step.kind == http::ChunkedDecoder::Kind::need_more) return;
    if (step.kind == http::ChunkedDecoder::Kind::refused) {
      http::RefusalInfo info = http::describe(step.refusal);
      keep_alive_ = false;
      send_error(info.status, info.error, info.message);
      return;
    }
    if (evbuffer_get_length(body) > limit) {
      keep_alive_ = false;
      send_error(413, "payload_too_large", "The request body is larger than this route accepts.");
      return;
    }
    body_done_ = step.kind == http::ChunkedDecoder::Kind::done;
  }
  call_handler();
}

void ClientConnection::call_handler() {
  if (evtimer_pending(timer_, nullptr)) evtimer_del(timer_);
  phase_ = Phase::local_wait;
  bufferevent_disable(bev_, EV_READ);
  local_state_ = std::make_shared<LocalRequestState>();
  local_state_->worker = &worker_;
  local_state_->connection = this;
  const Identity* identity = nullptr;
  if (token_ != nullptr) {
    identity_.token_id = token_->token_id;
    identity_.name = token_->name;
    identity_.scopes = token_->scopes;
    identity = &identity_;
  }
  RequestView view(head_, client_, request_id_, identity);
  // Handler bodies are small (limits.max_handler_body) and handlers want one contiguous view.
  size_t n = evbuffer_get_length(local_body_.get());
  const char* p = reinterpret_cast<const char*>(evbuffer_pullup(local_body_.get(), -1));
  handler_->handle(view, std::string_view(p != nullptr ? p : "", n),
                   std::make_shared<LocalResponder>(local_state_));
}

void ClientConnection::local_response(const Response& response) {
  if (phase_ != Phase::local_wait) return;
  CallbackScope scope(*this);
  local_state_->connection = nullptr;
  local_state_.reset();
  send_local(response.status, response.content_type, response.body, response.headers, keep_alive_);
}

}  // namespace fathom
