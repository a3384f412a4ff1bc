// Requests answered by a route-handler plugin: the body is read whole (bounded), the handler is
// called with the identity already checked, and its answer may come later from any thread.
#include <event2/buffer.h>

#include <algorithm>

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
  local_body_.clear();
  body_left_ = head_.framing == http::Framing::content_length ? head_.content_length : 0;
  body_chunks_.reset();
  const size_t limit = rt_->config.limits.max_handler_body;
  if (head_.framing == http::Framing::content_length && head_.content_length > limit) {
    keep_alive_ = false;
    send_error(413, "payload_too_large", "The request body is larger than this route accepts.");
    return;
  }
  if (head_.expect_continue && !body_done_) {
    evbuffer_add(bufferevent_get_output(bev_), "HTTP/1.1 100 Continue\r\n\r\n", 25);
  }
  pump_local_body();
}

void ClientConnection::pump_local_body() {
  evbuffer* in = bufferevent_get_input(bev_);
  const size_t limit = rt_->config.limits.max_handler_body;
  while (!body_done_) {
    size_t avail = evbuffer_get_length(in);
    if (avail == 0) return;  // more arrives through on_client_read
    if (head_.framing == http::Framing::content_length) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(avail, body_left_));
      size_t old = local_body_.size();
      local_body_.resize(old + n);
      evbuffer_remove(in, local_body_.data() + old, n);
      body_left_ -= n;
      body_done_ = body_left_ == 0;
      continue;
    }
    evbuffer_iovec v;
    evbuffer_peek(in, -1, nullptr, &v, 1);
    std::string_view front(static_cast<const char*>(v.iov_base), v.iov_len);
    http::ChunkedDecoder::Step step = body_chunks_.next(front);
    if (step.kind == http::ChunkedDecoder::Kind::need_more && front.size() < avail) {
      size_t want = std::min<size_t>(avail, 8192);
      front = std::string_view(
          reinterpret_cast<const char*>(evbuffer_pullup(in, static_cast<ssize_t>(want))), want);
      step = body_chunks_.next(front);
    }
    switch (step.kind) {
      case http::ChunkedDecoder::Kind::need_more: return;
      case http::ChunkedDecoder::Kind::refused: {
        http::RefusalInfo info = http::describe(step.refusal);
        keep_alive_ = false;
        send_error(info.status, info.error, info.message);
        return;
      }
      case http::ChunkedDecoder::Kind::data:
        if (local_body_.size() + step.length > limit) {
          keep_alive_ = false;
          send_error(413, "payload_too_large",
                     "The request body is larger than this route accepts.");
          return;
        }
        local_body_.append(front.data(), step.length);
        evbuffer_drain(in, step.length);
        break;
      case http::ChunkedDecoder::Kind::framing: evbuffer_drain(in, step.length); break;
      case http::ChunkedDecoder::Kind::done:
        evbuffer_drain(in, step.length);
        body_done_ = true;
        break;
    }
  }
  call_handler();
}

void ClientConnection::call_handler() {
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
  RequestView view(head_, peer_, request_id_, identity);
  handler_->handle(view, local_body_, std::make_shared<LocalResponder>(local_state_));
}

void ClientConnection::local_response(const Response& response) {
  if (phase_ != Phase::local_wait) return;
  CallbackScope scope(*this);
  local_state_->connection = nullptr;
  local_state_.reset();
  send_local(response.status, response.content_type, response.body, response.headers,
             keep_alive_);
}

}  // namespace fathom
