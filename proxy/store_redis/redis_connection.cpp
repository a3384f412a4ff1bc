#include "store_redis/redis_connection.h"

#include <hiredis/adapters/libevent.h>

#include <algorithm>

namespace fathom::store_redis {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

}  // namespace

RedisConnection::RedisConnection(event_base* base, RedisUrl url,
                                 std::chrono::milliseconds connect_timeout,
                                 std::chrono::milliseconds command_timeout, std::string name,
                                 Hooks hooks)
    : base_(base),
      url_(std::move(url)),
      connect_timeout_(connect_timeout),
      command_timeout_(command_timeout),
      name_(std::move(name)),
      hooks_(std::move(hooks)) {
  // Often enough to notice a missed deadline within a fraction of the shorter timeout.
  auto period = std::clamp(std::min(connect_timeout_, command_timeout_) / 5,
                           std::chrono::milliseconds(5), std::chrono::milliseconds(100));
  tick_ = event_new(base_, -1, EV_PERSIST, &RedisConnection::on_tick, this);
  timeval tv = to_timeval(period);
  event_add(tick_, &tv);
}

RedisConnection::~RedisConnection() {
  drop("closing", false);
  event_free(tick_);
}

void RedisConnection::connect() {
  if (ctx_) return;
  redisAsyncContext* ac = url_.kind == RedisUrl::Kind::unix_socket
                              ? redisAsyncConnectUnix(url_.path.c_str())
                              : redisAsyncConnect(url_.host.c_str(), url_.port);
  if (!ac) {
    if (hooks_.on_lost) hooks_.on_lost("out of memory creating a Redis connection");
    return;
  }
  if (ac->err) {
    std::string why = std::string("cannot connect: ") + ac->errstr;
    redisAsyncFree(ac);
    if (hooks_.on_lost) hooks_.on_lost(why);
    return;
  }
  ac->data = this;
  redisLibeventAttach(ac, base_);
  redisAsyncSetConnectCallback(ac, &RedisConnection::on_connect);
  redisAsyncSetDisconnectCallback(ac, &RedisConnection::on_disconnect);
  ctx_ = ac;
  connected_ = false;
  connect_deadline_ = std::chrono::steady_clock::now() + connect_timeout_;
}

void RedisConnection::command(const std::vector<std::string>& argv, ReplyFn fn, bool persistent) {
  if (!connected()) {
    fn(nullptr);
    return;
  }
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  for (const std::string& a : argv) {
    args.push_back(a.data());
    lengths.push_back(a.size());
  }
  auto* p = new Pending{
      this, std::move(fn), persistent, true, std::chrono::steady_clock::now() + command_timeout_,
      {}};
  p->position = in_flight_.insert(in_flight_.end(), p);
  if (redisAsyncCommandArgv(ctx_, &RedisConnection::on_reply, p, static_cast<int>(args.size()),
                            args.data(), lengths.data()) != REDIS_OK) {
    untrack(p);
    ReplyFn failed = std::move(p->fn);
    delete p;
    failed(nullptr);
  }
}

void RedisConnection::untrack(Pending* p) {
  if (!p->tracked) return;
  in_flight_.erase(p->position);
  p->tracked = false;
}

void RedisConnection::on_reply(redisAsyncContext*, void* reply, void* privdata) {
  auto* p = static_cast<Pending*>(privdata);
  p->owner->untrack(p);
  auto* r = static_cast<redisReply*>(reply);
  if (p->persistent && r) {
    p->fn(r);
    return;
  }
  // hiredis calls a persistent callback with null exactly once, when the context goes away.
  ReplyFn fn = std::move(p->fn);
  delete p;
  fn(r);
}

void RedisConnection::on_connect(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<RedisConnection*>(ac->data);
  if (ac != self->ctx_) return;
  if (status != REDIS_OK) {
    self->lost(std::string("cannot connect: ") + (ac->errstr ? ac->errstr : "unknown error"));
    return;
  }
  self->connected_ = true;
  if (self->hooks_.on_connected) self->hooks_.on_connected();
}

void RedisConnection::on_disconnect(const redisAsyncContext* ac, int) {
  auto* self = static_cast<RedisConnection*>(ac->data);
  if (ac != self->ctx_) return;  // dropped by us, or its connect already failed
  self->lost(std::string("connection lost: ") +
             (ac->err && ac->errstr ? ac->errstr : "closed by the server"));
}

// hiredis frees the context itself after on_connect(error) and on_disconnect, running the
// pending callbacks with null replies; here we only forget it.
void RedisConnection::lost(const std::string& why) {
  ctx_ = nullptr;
  connected_ = false;
  if (hooks_.on_lost) hooks_.on_lost(why);
}

void RedisConnection::drop(const std::string& why, bool notify) {
  if (!ctx_) return;
  redisAsyncContext* ac = ctx_;
  ctx_ = nullptr;
  connected_ = false;
  redisAsyncFree(ac);  // runs every pending callback with a null reply
  if (notify && hooks_.on_lost) hooks_.on_lost(why);
}

void RedisConnection::on_tick(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<RedisConnection*>(arg);
  if (!self->ctx_) return;
  auto now = std::chrono::steady_clock::now();
  if (!self->connected_ && now >= self->connect_deadline_) {
    self->drop("no connection within " + std::to_string(self->connect_timeout_.count()) + " ms");
  } else if (!self->in_flight_.empty() && now >= self->in_flight_.front()->deadline) {
    self->drop("no reply within " + std::to_string(self->command_timeout_.count()) + " ms");
  }
}

}  // namespace fathom::store_redis
