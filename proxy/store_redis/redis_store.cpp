#include <sys/eventfd.h>
#include <unistd.h>

#include <future>
#include <random>

#include <nlohmann/json.hpp>

#include "ops/log.h"
#include "store_redis/redis_store_internal.h"

namespace fathom::store_redis {
namespace {

constexpr const char* kFormatVersion = "1";

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string random_instance_id() {
  std::random_device rd;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 16; ++i) id.push_back(kDigits[rd() % 16]);
  return id;
}

RedisUrl checked_url(const RedisStoreOptions& options) {
  RedisUrlResult parsed = parse_redis_url(options.url);
  if (!parsed.url) throw RedisStoreError(parsed.error);
  if (options.prefix.empty()) throw RedisStoreError("store.prefix must not be empty");
  if (options.key_fingerprint.empty()) {
    throw RedisStoreError("the Redis store needs the token-hash key's fingerprint");
  }
  return *parsed.url;
}

std::string reply_string(const redisReply* r) {
  if (r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
            r->type == REDIS_REPLY_ERROR)) {
    return std::string(r->str, r->len);
  }
  return {};
}

}  // namespace

RedisStore::ScriptAnswer RedisStore::read_script_reply(const redisReply* reply) {
  ScriptAnswer a;
  if (!reply) {
    a.message = "Redis did not answer";
    return a;
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    a.error_reply = true;
    a.message = "Redis answered an error: " + reply_string(reply);
    return a;
  }
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements == 0) {
    a.message = "Redis answered a script with something other than a list";
    return a;
  }
  for (size_t i = 0; i < reply->elements; ++i) a.parts.push_back(reply_string(reply->element[i]));
  a.reached = true;
  a.status = a.parts[0];
  a.message = a.part(1);
  return a;
}

RedisStore::RedisStore(RedisStoreOptions options)
    : options_(std::move(options)),
      url_(checked_url(options_)),
      instance_id_(random_instance_id()),
      seen_meta_(options_.known_initialized),
      reconnect_delay_(options_.reconnect_min),
      resubscribe_delay_(options_.reconnect_min) {
  base_ = event_base_new();
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (!base_ || wake_fd_ < 0) {
    if (base_) event_base_free(base_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    throw RedisStoreError("cannot create the Redis store's event loop");
  }
  wake_ = event_new(base_, wake_fd_, EV_READ | EV_PERSIST, &RedisStore::on_wake, this);
  event_add(wake_, nullptr);
  heartbeat_ = event_new(base_, -1, EV_PERSIST, &RedisStore::on_heartbeat, this);
  timeval hb = to_timeval(options_.heartbeat_interval);
  event_add(heartbeat_, &hb);
  touch_flush_ = event_new(base_, -1, EV_PERSIST, &RedisStore::on_touch_flush, this);
  timeval tf = to_timeval(options_.touch_flush_interval);
  event_add(touch_flush_, &tf);
  reconnect_ = evtimer_new(base_, &RedisStore::on_reconnect, this);
  resubscribe_ = evtimer_new(base_, &RedisStore::on_resubscribe, this);

  RedisConnection::Hooks command_hooks{[this] { commands_connected(); },
                                       [this](const std::string& why) { commands_lost(why); }};
  commands_ = std::make_unique<RedisConnection>(base_, url_, options_.connect_timeout,
                                                options_.command_timeout, "commands",
                                                std::move(command_hooks));
  RedisConnection::Hooks subscriber_hooks{[this] {
                                            // Pub/sub ignores SELECT; only AUTH matters.
                                            if (!url_.password.empty()) {
                                              std::vector<std::string> auth{"AUTH"};
                                              if (!url_.user.empty()) auth.push_back(url_.user);
                                              auth.push_back(url_.password);
                                              subscriber_->command(auth, [](redisReply*) {});
                                            }
                                            subscriber_->command(
                                                {"SUBSCRIBE", options_.prefix + "events"},
                                                [this](redisReply* r) { heard(r); }, true);
                                          },
                                          [this](const std::string& why) { subscriber_lost(why); }};
  subscriber_ = std::make_unique<RedisConnection>(base_, url_, options_.connect_timeout,
                                                  options_.command_timeout, "subscriber",
                                                  std::move(subscriber_hooks));
  set_phase(Phase::down, "connecting to Redis at " + url_.describe());

  thread_ = std::thread([this] { event_base_dispatch(base_); });
  post([this] { connect_commands(); });

  std::unique_lock lock(state_mu_);
  state_cv_.wait_for(lock, options_.connect_timeout + options_.command_timeout * 2,
                     [&] { return first_open_done_; });
  if (!first_open_error_.empty()) {
    std::string error = first_open_error_;
    lock.unlock();
    shutdown();
    throw RedisStoreError(error);
  }
}

RedisStore::~RedisStore() {
  quiesce();
  shutdown();
}

void RedisStore::shutdown() {
  post([this] {
    stopping_ = true;
    auto finish = [this] {
      // Deferred: the flush's reply arrives inside a hiredis callback, where its connection
      // must not be freed.
      event_base_once(
          base_, -1, EV_TIMEOUT,
          [](evutil_socket_t, short, void* arg) {
            auto* self = static_cast<RedisStore*>(arg);
            self->subscriber_.reset();
            self->commands_.reset();
            event_base_loopbreak(self->base_);
          },
          this, nullptr);
    };
    flush_touches(finish);
  });
  thread_.join();
  for (event* e : {wake_, heartbeat_, touch_flush_, reconnect_, resubscribe_}) event_free(e);
  event_base_free(base_);
  ::close(wake_fd_);
}

// --- the queue to the I/O thread ---

void RedisStore::post(std::function<void()> task) {
  {
    std::lock_guard lock(post_mu_);
    posted_.push_back(std::move(task));
  }
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void RedisStore::on_wake(evutil_socket_t fd, short, void* arg) {
  uint64_t count = 0;
  [[maybe_unused]] ssize_t n = ::read(fd, &count, sizeof count);
  static_cast<RedisStore*>(arg)->run_posted();
}

void RedisStore::run_posted() {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard lock(post_mu_);
    tasks.swap(posted_);
  }
  for (auto& task : tasks) task();
}

void RedisStore::begin_call() {
  std::lock_guard lock(calls_mu_);
  ++calls_due_;
}

void RedisStore::end_call() {
  std::lock_guard lock(calls_mu_);
  if (--calls_due_ == 0) calls_cv_.notify_all();
}

void RedisStore::quiesce() {
  if (on_io_thread()) return;  // a callback asking: nothing else can run meanwhile
  std::unique_lock lock(calls_mu_);
  calls_cv_.wait(lock, [&] { return calls_due_ == 0; });
}

// --- state ---

void RedisStore::set_phase(Phase phase, std::string problem) {
  phase_ = phase;
  ready_ = phase == Phase::ready;
  std::lock_guard lock(state_mu_);
  problem_ = std::move(problem);
  state_cv_.notify_all();
}

std::string RedisStore::problem() const {
  std::lock_guard lock(state_mu_);
  return problem_;
}

std::string RedisStore::durability_warning() const {
  std::lock_guard lock(state_mu_);
  return durability_warning_;
}

std::string RedisStore::unavailable_message() const {
  std::string why = problem();
  return "the token store (Redis at " + url_.describe() + ") is unavailable" +
         (why.empty() ? std::string() : ": " + why);
}

bool RedisStore::wait_ready(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_mu_);
  state_cv_.wait_for(lock, timeout, [&] { return ready_.load(); });
  return ready_.load();
}

void RedisStore::on_resync(std::function<void()> hook) {
  std::lock_guard lock(hooks_mu_);
  resync_hooks_.push_back(std::move(hook));
}

void RedisStore::subscribe(std::function<void(const Invalidation&)> on_invalidated) {
  std::lock_guard lock(hooks_mu_);
  subscribers_.push_back(std::move(on_invalidated));
}

// --- the command connection ---

void RedisStore::connect_commands() {
  if (stopping_) return;
  set_phase(Phase::down, problem());
  commands_->connect();
}

void RedisStore::commands_connected() {
  set_phase(Phase::opening, "checking the store's meta in Redis at " + url_.describe());
  if (!url_.password.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!url_.user.empty()) auth.push_back(url_.user);
    auth.push_back(url_.password);
    commands_->command(auth, [this](redisReply* r) {
      if (r && r->type == REDIS_REPLY_ERROR) {
        log::error("redis_store_auth_failed", {{"redis", url_.describe()}});
      }
    });
  }
  if (url_.db != 0) {
    commands_->command({"SELECT", std::to_string(url_.db)}, [this](redisReply* r) {
      if (r && r->type == REDIS_REPLY_ERROR) {
        log::error("redis_store_select_failed",
                   {{"redis", url_.describe()}, {"error", reply_string(r)}});
      }
    });
  }
  check_durability();
  open_store(!first_open_done_);
}

// An acknowledged mint or revoke survives a Redis crash only with every write fsynced.
void RedisStore::check_durability() {
  auto settings = std::make_shared<std::vector<std::string>>();
  auto answer = [this, settings](const char* name, redisReply* r) {
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
      settings->push_back(std::string(name) + "=" + reply_string(r->element[1]));
    } else {
      settings->push_back(std::string(name) + "=?");
    }
    if (settings->size() < 2) return;
    std::string warning;
    const bool unknown = (*settings)[0].back() == '?' || (*settings)[1].back() == '?';
    if (unknown) {
      warning =
          "could not read Redis's persistence settings (CONFIG GET refused?); an acknowledged "
          "mint or revoke survives a Redis crash only with appendonly yes and appendfsync always";
    } else if ((*settings)[0] != "appendonly=yes" || (*settings)[1] != "appendfsync=always") {
      warning = "Redis runs with " + (*settings)[0] + " " + (*settings)[1] +
                ": an acknowledged mint or revoke can be lost if Redis crashes; set appendonly "
                "yes and appendfsync always";
    }
    bool changed;
    {
      std::lock_guard lock(state_mu_);
      changed = durability_warning_ != warning;
      durability_warning_ = warning;
    }
    // Once, and again only if the settings change: not at every reconnect.
    if (changed && !warning.empty()) {
      log::warn("redis_store_durability", {{"redis", url_.describe()}, {"warning", warning}});
    }
  };
  commands_->command({"CONFIG", "GET", "appendonly"},
                     [answer](redisReply* r) { answer("appendonly", r); });
  commands_->command({"CONFIG", "GET", "appendfsync"},
                     [answer](redisReply* r) { answer("appendfsync", r); });
}

void RedisStore::open_store(bool first) {
  eval(Script::open, {options_.key_fingerprint, seen_meta_ ? "1" : "0", kFormatVersion},
       [this, first](ScriptAnswer a) { opened(a, first); });
}

void RedisStore::opened(const ScriptAnswer& a, bool first) {
  if (!a.reached) {
    // No reply is commands_lost's business; an error reply (AUTH needed, scripts disabled, a
    // server busy loading) leaves us connected but unusable until the next heartbeat re-opens.
    if (a.error_reply) refuse(a.message);
  } else if (a.status == "fresh" || a.status == "ok") {
    if (a.status == "fresh") {
      fresh_ = first;
      log::info("redis_store_initialized", {{"redis", url_.describe()}});
    }
    seen_meta_ = true;
    reconnect_delay_ = options_.reconnect_min;
    if (phase_ != Phase::ready) {
      log::info("redis_store_ready", {{"redis", url_.describe()}, {"prefix", options_.prefix}});
    }
    set_phase(Phase::ready);
    if (!subscriber_->connected() && !evtimer_pending(resubscribe_, nullptr)) {
      connect_subscriber();
    }
  } else if (a.status == "mismatch") {
    std::string why =
        "the store was written with token-hash key " + a.part(1) + "; this instance has " +
        options_.key_fingerprint + ": copy " +
        (options_.state_dir.empty() ? std::string("<state_dir>") : options_.state_dir) +
        "/token-hash.key from an existing instance";
    refuse(why);
    if (first) {
      std::lock_guard lock(state_mu_);
      first_open_error_ = why;
    }
  } else if (a.status == "marker_lost") {
    refuse("Redis holds tokens under prefix " + options_.prefix +
           " but its meta key (the initialized marker) is gone: the dataset was damaged or "
           "partly restored; restore the full dataset from a backup");
  } else if (a.status == "lost") {
    refuse(
        "Redis lost its data (the meta key this instance saw is gone: restarted without "
        "persistence, flushed, or failed over to an empty replica); restore the dataset, "
        "every token would otherwise be forgotten");
  } else {
    refuse("the open script answered " + a.status);
  }
  if (first) {
    std::lock_guard lock(state_mu_);
    first_open_done_ = true;
    state_cv_.notify_all();
  }
}

void RedisStore::refuse(const std::string& why) {
  log::error("redis_store_refused", {{"redis", url_.describe()}, {"error", why}});
  set_phase(Phase::refused, why);
}

void RedisStore::commands_lost(const std::string& why) {
  if (stopping_) return;
  if (phase_ == Phase::ready || phase_ == Phase::opening) {
    log::warn("redis_store_unavailable", {{"redis", url_.describe()}, {"error", why}});
  }
  heartbeat_in_flight_ = false;
  // A refusal stands until an open says otherwise; anything else is just "down".
  set_phase(phase_ == Phase::refused ? Phase::refused : Phase::down,
            phase_ == Phase::refused ? problem() : "Redis unreachable: " + why);
  // Whatever was published meanwhile may be lost: the subscriber starts over as well.
  subscriber_->drop("the command connection was lost");
  if (!first_open_done_) {
    std::lock_guard lock(state_mu_);
    first_open_done_ = true;
    state_cv_.notify_all();
  }
  timeval tv = to_timeval(reconnect_delay_);
  evtimer_add(reconnect_, &tv);
  reconnect_delay_ = std::min(reconnect_delay_ * 2, options_.reconnect_max);
}

void RedisStore::on_reconnect(evutil_socket_t, short, void* arg) {
  static_cast<RedisStore*>(arg)->connect_commands();
}

// Pings an idle connection so that a paused server is noticed; a refused store re-opens instead,
// to notice the dataset being restored.
void RedisStore::on_heartbeat(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<RedisStore*>(arg);
  if (self->stopping_ || !self->commands_->connected() || self->heartbeat_in_flight_) return;
  self->heartbeat_in_flight_ = true;
  if (self->phase_ == Phase::refused) {
    self->eval(Script::open,
               {self->options_.key_fingerprint, self->seen_meta_ ? "1" : "0", kFormatVersion},
               [self](ScriptAnswer a) {
                 self->heartbeat_in_flight_ = false;
                 if (a.reached && (a.status == "ok" || a.status == "fresh")) {
                   self->opened(a, false);
                 }
               });
    return;
  }
  self->commands_->command({"PING"}, [self](redisReply*) { self->heartbeat_in_flight_ = false; });
}

// --- the subscriber ---

void RedisStore::connect_subscriber() {
  if (stopping_) return;
  subscriber_->connect();
}

void RedisStore::heard(redisReply* r) {
  if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 3) return;
  std::string kind = reply_string(r->element[0]);
  if (kind == "subscribe") {
    resubscribe_delay_ = options_.reconnect_min;
    subscription_changed(true);
    return;
  }
  if (kind != "message") return;
  Invalidation inv;
  std::string origin;
  try {
    auto event = nlohmann::json::parse(reply_string(r->element[2]));
    inv.token_id = event.at("token_id").get<std::string>();
    inv.secret_hash = event.at("secret_hash").get<std::string>();
    origin = event.value("origin", "");
  } catch (const std::exception&) {
    log::warn("redis_store_bad_event", {{"channel", options_.prefix + "events"}});
    return;
  }
  if (origin == instance_id_) return;  // the write's own callback already told our subscribers
  notify(inv);
}

void RedisStore::subscriber_lost(const std::string& why) {
  if (stopping_) return;
  if (subscribed_) {
    log::warn("redis_store_unsubscribed", {{"redis", url_.describe()}, {"error", why}});
  }
  subscription_changed(false);
  // Resubscribing waits for the command connection when that is down too: it reconnects both.
  if (phase_ != Phase::ready) return;
  timeval tv = to_timeval(resubscribe_delay_);
  evtimer_add(resubscribe_, &tv);
  resubscribe_delay_ = std::min(resubscribe_delay_ * 2, options_.reconnect_max);
}

void RedisStore::on_resubscribe(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<RedisStore*>(arg);
  if (self->phase_ == Phase::ready) self->connect_subscriber();
}

// Both ways the cache is flushed: at the drop, what it holds may miss a revocation; at the
// return, an answer cached between the two may have.
void RedisStore::subscription_changed(bool now_subscribed) {
  const bool was = subscribed_.exchange(now_subscribed);
  if (was == now_subscribed && !now_subscribed) return;
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard lock(hooks_mu_);
    hooks = resync_hooks_;
  }
  for (auto& hook : hooks) {
    try {
      hook();
    } catch (...) {
      log::error("store_callback_threw", {{"callback", "resync"}});
    }
  }
}

void RedisStore::notify(const Invalidation& inv) {
  std::vector<std::function<void(const Invalidation&)>> subscribers;
  {
    std::lock_guard lock(hooks_mu_);
    subscribers = subscribers_;
  }
  for (auto& fn : subscribers) {
    try {
      fn(inv);
    } catch (...) {
      log::error("store_callback_threw", {{"callback", "subscriber"}});
    }
  }
}

}  // namespace fathom::store_redis
