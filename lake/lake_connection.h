// One client connection of the lake: a bufferevent and a small state machine that reads request
// heads and bodies in order (keep-alive and pipelining), answers each per its route, and only
// then looks at the next request. Memory per connection stays bounded: input by the read
// watermark, output by the producers' high water mark.
#pragma once

#include <event2/util.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "body_reader.h"
#include "http/message.h"
#include "http/refusal.h"
#include "lake_server.h"
#include "response_stream.h"
#include "responses.h"
#include "routes.h"
#include "websocket_echo.h"

struct bufferevent;
struct event;

namespace fathom::lake {

class LakeConnection {
 public:
  // Takes ownership of an accepted, non-blocking socket.
  static void accept(LakeServer& server, evutil_socket_t fd);
  // Frees every live connection (at shutdown).
  static void close_all(LakeServer& server);

  ~LakeConnection();
  LakeConnection(const LakeConnection&) = delete;
  LakeConnection& operator=(const LakeConnection&) = delete;

 private:
  enum class State : uint8_t {
    reading_head,  // waiting for (or parsing) the next request head
    reading_body,  // draining and hashing the current request's body
    streaming,     // a ResponseStream is writing; further requests wait in the input
    websocket,     // after a 101: frames, not HTTP
    closing,       // the last bytes are being flushed
    lingering,     // write side shut down; discarding input until the peer closes (see below)
    dead,          // to be freed at the end of the current callback
  };

  LakeConnection(LakeServer& server, bufferevent* bev);

  static void on_read(bufferevent* bev, void* self);
  static void on_write(bufferevent* bev, void* self);
  static void on_event(bufferevent* bev, short what, void* self);
  static void on_timer(evutil_socket_t fd, short what, void* self);

  void process_input();
  bool read_head();
  void begin_request();
  void respond();
  void reply(int status, std::string_view json, std::string_view extra_headers = {});
  void respond_stream(int status, std::unique_ptr<ResponseStream> stream);
  void respond_head_only(int status, std::string_view head);  // HEAD of a streamed route
  void refuse(http::Refusal refusal);
  void send(std::string_view bytes);
  void apply(StreamStep step);
  void finish_response();
  void close_after_flush();
  void begin_linger();
  void feed_websocket();
  void arm_timer(int64_t ms);
  void log(int status);
  // Frees the connection once it is dead. Every libevent callback ends with it and nothing runs
  // after it, so the object is never touched after being deleted.
  void reap();

  LakeServer& server_;
  bufferevent* bev_;
  event* timer_ = nullptr;  // the current stream's timer, or the linger deadline
  State state_ = State::reading_head;
  bool peer_closed_ = false;  // EOF seen: answer what is buffered, then close
  bool paused_ = false;       // input processing waits for the output to drain

  http::RequestHead head_;  // reused so that its header vector keeps its capacity
  // What the current request needs after its head's bytes are gone.
  Route route_;
  ReplyShape shape_;
  std::optional<nlohmann::ordered_json> echo_;  // the echo's description of the request
  std::string log_line_;
  BodyReader body_;

  std::unique_ptr<ResponseStream> stream_;
  std::unique_ptr<WebSocketEcho> ws_;
};

}  // namespace fathom::lake
