// One hiredis asynchronous connection on an event_base the caller runs (RedisStore's I/O thread;
// nothing here is thread-safe). hiredis 0.14 has no timeouts of its own, so this adds them: a
// connect that does not complete within connect_timeout, or a command whose reply does not come
// within command_timeout (a paused or wedged server), drops the connection. Dropping fails every
// command in flight (its callback gets a null reply) and calls on_lost once.
//
// The context is only ever freed from a timer or from the owner, never from inside one of its
// own callbacks, so hiredis never frees it under our feet.
#pragma once

#include <event2/event.h>
#include <hiredis/async.h>

#include <chrono>
#include <functional>
#include <list>
#include <string>
#include <vector>

#include "store_redis/redis_url.h"

namespace fathom::store_redis {

class RedisConnection {
 public:
  // A reply, or null when the connection failed before it came. Valid during the call only.
  using ReplyFn = std::function<void(redisReply*)>;
  struct Hooks {
    std::function<void()> on_connected;
    std::function<void(const std::string& why)> on_lost;  // never for a drop by the owner
  };

  RedisConnection(event_base* base, RedisUrl url, std::chrono::milliseconds connect_timeout,
                  std::chrono::milliseconds command_timeout, std::string name, Hooks hooks);
  ~RedisConnection();  // drops the connection without calling on_lost
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Starts connecting; on_connected or on_lost follows (on_lost may run before this returns).
  void connect();
  bool connected() const { return ctx_ != nullptr && connected_; }
  // Sends a command; without a connection `fn(nullptr)` runs at once. A `persistent` command
  // (SUBSCRIBE) keeps its callback for every later message, and its deadline ends with the first.
  void command(const std::vector<std::string>& argv, ReplyFn fn, bool persistent = false);
  // Frees the connection; commands in flight get null replies; on_lost runs if `notify`.
  void drop(const std::string& why, bool notify = true);

 private:
  struct Pending {
    RedisConnection* owner;
    ReplyFn fn;
    bool persistent;
    bool tracked;
    std::chrono::steady_clock::time_point deadline;
    std::list<Pending*>::iterator position;
  };
  static void on_reply(redisAsyncContext* ac, void* reply, void* privdata);
  static void on_connect(const redisAsyncContext* ac, int status);
  static void on_disconnect(const redisAsyncContext* ac, int status);
  static void on_tick(evutil_socket_t, short, void* arg);
  void lost(const std::string& why);
  void untrack(Pending* p);

  event_base* const base_;
  const RedisUrl url_;
  const std::chrono::milliseconds connect_timeout_;
  const std::chrono::milliseconds command_timeout_;
  const std::string name_;
  const Hooks hooks_;
  redisAsyncContext* ctx_ = nullptr;
  bool connected_ = false;
  std::chrono::steady_clock::time_point connect_deadline_;
  std::list<Pending*> in_flight_;  // sent, no reply yet; oldest first
  event* tick_ = nullptr;
};

}  // namespace fathom::store_redis
