// The Redis token store: several fathom-auth instances share one Redis (a single primary; Sentinel
// or a managed service for failover; not Redis Cluster).
//
// Keys (prefix default "fathom:"):
//   <prefix>meta                  hash: fingerprint (of token-hash.key), initialized=1, version
//   <prefix>token:<id>            string: the token as JSON (redis_records.h)
//   <prefix>hash:<secret_hash>    string: the token id
//   <prefix>tokens                sorted set: token ids by created_at (list(), oldest first)
//   <prefix>admins                set: ids of tokens holding tokens:manage (or admin), not revoked
//   <prefix>paircode:<id>         string: the pair code as JSON; expires a retention after it ends
//   <prefix>paircode_hash:<hash>  string: the pair code id; expires with it
//   <prefix>paircodes             sorted set: pair code ids by created_at
//   <prefix>events                pub/sub channel: {"token_id","secret_hash","origin"} for every
//                                 revoke, expire and expiry moved by a rotation
// Every rule (create, revoke and expire with the last-admin rule, rotate, the pair code writes,
// touch) is a Lua script (redis_scripts.h) run with EVALSHA, EVAL when the server answers
// NOSCRIPT: a check and its change are one step for every instance, so two proxies racing get
// the answers one would. Scripts publish their invalidations in the same step.
//
// Threads. The store has its own I/O thread and event_base; two connections run on it (commands,
// and the subscriber of <prefix>events). Every method may be called from any thread and never
// blocks on Redis: it queues the call to the I/O thread. EVERY callback — reads included, unlike
// the file store — runs later on the I/O thread; callers marshal back to their own threads.
// Callbacks must not throw and must not destroy the store.
//
// Failures. Each command has a deadline (command_timeout): a stopped, paused or unreachable Redis
// makes calls answer `unavailable` within it, never hang. The connection is then dropped and
// retried with backoff (100 ms doubling to 5 s); ready() is false until it is back. A Redis that
// lost its data is never read as "no tokens": <prefix>meta carries a marker every script checks,
// and a store whose marker vanished (tokens without it, or a Redis restarted empty under a running
// instance) is refused: ready() false, every call `unavailable`, an error logged every time it
// is found. Restoring the data (with its meta) lifts the refusal without a restart.
//
// Invalidations. The instance making a write calls the subscribe() callbacks before the write's
// own callback; every other instance hears the event on its subscriber connection (events carry
// an origin id, so the writer does not hear its own twice). If the subscription drops, or is not
// yet confirmed, subscribed() is false — the daemon must then validate against Redis and not
// cache — and the on_resync() hooks run when it drops and again once it is back.
#pragma once

#include <event2/event.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "fathom/token_store.h"
#include "store_redis/redis_connection.h"
#include "store_redis/redis_scripts.h"
#include "store_redis/redis_url.h"

namespace fathom::store_redis {

// The store cannot start: bad URL, or Redis holds data written under another token-hash key.
class RedisStoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RedisStoreOptions {
  std::string url = "redis://127.0.0.1:6379/0";  // see redis_url.h
  std::string prefix = "fathom:";
  std::string key_fingerprint;  // of <state_dir>/token-hash.key; required
  std::string state_dir;        // only named in the key-mismatch message
  // The caller knows this store was initialized before (e.g. a marker file in its state_dir):
  // an empty Redis is then refused as one that lost its data, never taken as a fresh store.
  bool known_initialized = false;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{1000};
  // Coalesced touches are written this often and at shutdown (the API allows a minute of lag).
  std::chrono::milliseconds touch_flush_interval{5000};
  // An idle command connection is pinged this often, so that a paused server is noticed.
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{5000};
  // Redeemed, cancelled and expired pair codes are kept this long, then Redis drops them.
  std::chrono::seconds pair_code_retention{24 * 60 * 60};
};

class RedisStore final : public TokenStore {
 public:
  // Starts the I/O thread and waits up to connect_timeout + command_timeout for the first
  // answer from Redis. Throws RedisStoreError for a bad URL, an empty prefix or fingerprint, or a
  // store written with another key. An unreachable (or refused) Redis does not throw: the store
  // starts not ready and keeps trying.
  explicit RedisStore(RedisStoreOptions options);
  // Waits for callbacks still due, writes pending touches (bounded by command_timeout), stops.
  ~RedisStore() override;
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  void find_by_hash(std::string_view secret_hash,
                    const std::function<void(StoreStatus, const TokenRecord*)>& done) override;
  void get(std::string_view token_id,
           const std::function<void(StoreStatus, const TokenRecord*)>& done) override;
  void list(const std::function<void(StoreStatus, std::vector<TokenRecord>)>& done) override;
  // Connected, the meta checked, and not refused.
  bool ready() override { return ready_.load(); }

  void create(TokenRecord record, std::function<void(StoreResult)> done) override;
  void revoke(std::string_view token_id, UnixTime now,
              std::function<void(StoreResult)> done) override;
  void rotate(std::string_view token_id, TokenRecord replacement,
              std::optional<UnixTime> old_expires_at,
              std::function<void(StoreResult)> done) override;
  void expire(std::string_view token_id, UnixTime now,
              std::function<void(StoreResult)> done) override;
  void touch(std::string_view token_id, UnixTime when) override;

  void list_pair_codes(
      UnixTime now,
      const std::function<void(StoreStatus, std::vector<PairCodeRecord>)>& done) override;
  void create_pair_code(PairCodeRecord code, std::function<void(StoreResult)> done) override;
  void cancel_pair_code(std::string_view pair_code_id, UnixTime now,
                        std::function<void(StoreResult)> done) override;
  void redeem_pair_code(std::string_view code_hash, TokenRecord token,
                        std::function<void(StoreResult)> done) override;

  // Returns once no callback is running or due (calls in flight end within command_timeout).
  void quiesce() override;
  void subscribe(std::function<void(const Invalidation&)> on_invalidated) override;

  // --- beyond TokenStore ---
  // True if this instance found Redis empty and wrote its meta: it is the one to mint the
  // bootstrap token.
  bool fresh() const { return fresh_.load(); }
  // True while the revocation channel is subscribed. While false, cached answers may miss a
  // revocation made elsewhere: the daemon validates every request against Redis.
  bool subscribed() const { return subscribed_.load(); }
  bool invalidations_live() override { return subscribed(); }
  // Runs (on the I/O thread) when the subscription drops and when it is back: the daemon
  // flushes its cache.
  void on_resync(std::function<void()> hook);
  // Waits until ready() or `timeout`; returns ready().
  bool wait_ready(std::chrono::milliseconds timeout);
  // Why the store is not ready (empty when it is): for logs and /readyz.
  std::string problem() const;
  // The warning about Redis's persistence settings found at the last connect; empty when they
  // are appendonly yes with appendfsync always.
  std::string durability_warning() const;

 private:
  enum class Phase : uint8_t { down, opening, ready, refused };
  struct ScriptAnswer;
  static ScriptAnswer read_script_reply(const redisReply* reply);

  void shutdown();  // stops the I/O thread and frees the loop; once
  // Called on any thread: queues `task` for the I/O thread.
  void post(std::function<void()> task);
  void run_posted();
  static void on_wake(evutil_socket_t fd, short, void* arg);
  static void on_heartbeat(evutil_socket_t, short, void* arg);
  static void on_touch_flush(evutil_socket_t, short, void* arg);
  static void on_reconnect(evutil_socket_t, short, void* arg);
  static void on_resubscribe(evutil_socket_t, short, void* arg);

  // I/O thread only.
  void connect_commands();
  void commands_connected();
  void commands_lost(const std::string& why);
  void check_durability();
  void open_store(bool first);
  void opened(const ScriptAnswer& answer, bool first);
  void refuse(const std::string& why);
  void connect_subscriber();
  void subscriber_lost(const std::string& why);
  void subscription_changed(bool now_subscribed);
  void heard(redisReply* reply);
  void eval(Script which, std::vector<std::string> args, std::function<void(ScriptAnswer)> done);
  void read_token(Script which, std::string key,
                  std::function<void(StoreStatus, const TokenRecord*)> done);
  void write_op(Script which, std::vector<std::string> args, std::function<void(StoreResult)> done);
  void flush_touches(std::function<void()> then = {});
  void overlay_touches(TokenRecord& record);
  void notify(const Invalidation& inv);
  void set_phase(Phase phase, std::string problem = {});
  std::string unavailable_message() const;

  void begin_call();  // any thread: one more callback due
  void end_call();    // I/O thread: that callback has run
  bool on_io_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

  const RedisStoreOptions options_;
  const RedisUrl url_;
  const std::string instance_id_;  // the origin of our events

  event_base* base_ = nullptr;
  int wake_fd_ = -1;
  event* wake_ = nullptr;
  event* heartbeat_ = nullptr;
  event* touch_flush_ = nullptr;
  event* reconnect_ = nullptr;
  event* resubscribe_ = nullptr;

  std::mutex post_mu_;
  std::vector<std::function<void()>> posted_;

  // I/O thread only.
  std::unique_ptr<RedisConnection> commands_;
  std::unique_ptr<RedisConnection> subscriber_;
  Phase phase_ = Phase::down;
  bool seen_meta_;  // the meta was seen (or known to exist): its absence means lost data
  bool stopping_ = false;
  bool heartbeat_in_flight_ = false;
  std::chrono::milliseconds reconnect_delay_;
  std::chrono::milliseconds resubscribe_delay_;

  std::atomic<bool> ready_{false};
  std::atomic<bool> fresh_{false};
  std::atomic<bool> subscribed_{false};

  mutable std::mutex state_mu_;
  std::string problem_;  // guarded by state_mu_
  std::string durability_warning_;
  bool first_open_done_ = false;
  std::string first_open_error_;  // a mismatch found by the first open: the constructor throws
  std::condition_variable state_cv_;

  std::mutex touch_mu_;
  std::unordered_map<std::string, UnixTime> pending_touches_;
  std::unordered_map<std::string, UnixTime> flushing_touches_;  // sent, not yet answered

  std::mutex calls_mu_;
  std::condition_variable calls_cv_;
  uint64_t calls_due_ = 0;

  std::mutex hooks_mu_;
  std::vector<std::function<void(const Invalidation&)>> subscribers_;
  std::vector<std::function<void()>> resync_hooks_;

  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace fathom::store_redis
