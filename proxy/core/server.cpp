#include "core/server.h"

#include <event2/event.h>
#include <event2/thread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "audit/audit_error.h"
#include "auth/secret.h"
#include "core/bootstrap.h"
#include "core/bootstrap_file.h"
#include "core/idle_expiry.h"
#include "core/rotation_watch_store.h"
#include "core/runtime.h"
#include "core/services.h"
#include "core/worker.h"
#include "metrics/build_info.h"
#include "metrics/metrics_server.h"
#include "metrics/prometheus_text.h"
#include "metrics/snapshot.h"
#include "ops/listen_fds.h"
#include "ops/log.h"
#include "ops/sd_notify.h"
#include "store/store_lock.h"

namespace fathom {
namespace {

struct Server {
  std::string config_path;
  std::string exe_dir;
  RuntimeHolder runtimes;
  // Before `services`, so that it outlives every store callback that may still hold it.
  std::shared_ptr<BootstrapTokenFile> bootstrap_file;  // null: no file to watch
  std::unique_ptr<Services> services;
  std::vector<std::unique_ptr<Worker>> workers;
  event_base* base = nullptr;
  uint64_t generation = 1;
  bool stopping = false;
  sd::Notifier notifier;  // a no-op outside systemd
  event* watchdog = nullptr;
  std::vector<uint64_t> beats;  // each worker's heartbeat at the previous watchdog tick
  event* upkeep = nullptr;
  std::unique_ptr<metrics::MetricsServer> metrics;  // on `base`; none with metrics.listen ""
  double start_time = 0;                            // Unix time, for fathom_start_time_seconds
};

// One scrape: every worker's counters added up, read on the main thread while they run.
std::string render_metrics(const Server& s) {
  std::vector<const metrics::WorkerMetrics*> each;
  each.reserve(s.workers.size());
  for (const auto& w : s.workers) each.push_back(&w->metrics());
  return metrics::prometheus_text(metrics::sum(each), {metrics::build_version(), s.start_time});
}

bool same_address(const std::optional<ListenAddress>& a, const std::optional<ListenAddress>& b) {
  if (!a || !b) return a.has_value() == b.has_value();
  return a->host == b->host && a->port == b->port;
}

// Upkeep off the request path, on the main loop: idle expiry and audit retention. Both only
// queue writes to their store's own thread, so the loop never waits on a disk here.
constexpr timeval kUpkeepFirst{5, 0};     // soon after start, once the listeners are up
constexpr timeval kUpkeepEvery{3600, 0};  // then hourly: the granularity of both is a day

// Writes <state_dir>/redis-store-initialized once the Redis store answered initialized: from
// then on, this instance refuses a Redis that comes back empty instead of starting afresh.
void note_redis_initialized(Services* services, const Config& cfg) {
  if (services->redis == nullptr || !services->redis->ready()) return;
  const std::string path = redis_marker_path(cfg);
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return;
  try {
    write_secret_file(path, "initialized");  // not a secret; the same careful write
  } catch (const std::exception& e) {
    log::warn("redis_marker_failed", {{"message", e.what()}});
  }
}

void upkeep(Server& s) {
  const Config& cfg = s.runtimes.load()->config;
  note_redis_initialized(s.services.get(), cfg);
  const auto now = static_cast<UnixTime>(std::time(nullptr));
  expire_idle_tokens(*s.services->token_store, s.services->audit(), cfg.tokens.idle_expiry_days,
                     now);
  if (s.bootstrap_file) s.bootstrap_file->check(*s.services->token_store, now);
  if (s.services->audit_log != nullptr) {
    if (uint64_t pruned = s.services->audit_log->prune(now)) {
      log::info("audit_pruned", {{"events", static_cast<long long>(pruned)},
                                 {"retain_days", cfg.audit.retain_days}});
    }
  }
  evtimer_add(s.upkeep, &kUpkeepEvery);
}

// systemd's watchdog, pinged from the main loop only while every worker's loop is turning too:
// a hung worker stops the pings, and systemd restarts the daemon.
void watchdog_tick(Server& s) {
  if (s.stopping) return;
  bool all_moved = true;
  for (size_t i = 0; i < s.workers.size(); ++i) {
    uint64_t now = s.workers[i]->heartbeat();
    if (now == s.beats[i]) all_moved = false;
    s.beats[i] = now;
  }
  if (all_moved) {
    s.notifier.send("WATCHDOG=1");
  } else {
    log::warn("watchdog_withheld", {{"message", "a worker's event loop did not run"}});
  }
}

void reload(Server& s) {
  log::info("reloading", {{"config", s.config_path}});
  s.notifier.send(sd::reloading_message());
  try {
    Config cfg = load_config(s.config_path, s.exe_dir);
    const Config& old = s.runtimes.load()->config;
    bool listen_changed = cfg.listen.size() != old.listen.size();
    for (size_t i = 0; !listen_changed && i < cfg.listen.size(); ++i) {
      listen_changed =
          cfg.listen[i].host != old.listen[i].host || cfg.listen[i].port != old.listen[i].port;
    }
    if (listen_changed || cfg.workers != old.workers) {
      log::warn("reload_partial", {{"message", "listen and workers take effect on restart"}});
    }
    if (!same_address(cfg.metrics.listen, old.metrics.listen)) {
      log::warn("reload_partial", {{"message", "metrics.listen takes effect on restart"}});
    }
    log::set_level(cfg.log_level);
    s.runtimes.publish(build_runtime(std::move(cfg), ++s.generation, s.services.get()));
    log::info("reloaded", {{"generation", static_cast<long long>(s.generation)}});
  } catch (const std::exception& e) {
    log::error("reload_refused", {{"message", e.what()}});
    s.notifier.send("READY=1\nSTATUS=serving; the last reload was refused (see the log)");
    return;
  }
  s.notifier.send("READY=1\nSTATUS=serving config generation " + std::to_string(s.generation));
}

void stop(Server& s) {
  if (s.stopping) return;
  s.stopping = true;
  auto deadline = s.runtimes.load()->config.timeouts.drain;
  log::info("stopping", {{"drain_ms", static_cast<long long>(deadline.count())}});
  s.notifier.send("STOPPING=1\nSTATUS=draining");
  for (auto& w : s.workers) w->drain(deadline);
  event_base_loopexit(s.base, nullptr);
}

void ensure_state_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw ConfigError("state_dir: cannot create " + dir + ": " + ec.message());
  // The daemon's own files (keys, store) must never be readable by others.
  ::chmod(dir.c_str(), 0700);
}

}  // namespace

int check_config(const std::string& config_path, const std::string& exe_dir) {
  log::set_level(LogLevelSetting::warn);  // the verdict is the output, not the loading chatter
  try {
    Config cfg = load_config(config_path, exe_dir);
    auto rt = build_runtime(std::move(cfg), 1, nullptr);
    std::printf("%s: ok (%zu plugins)\n", config_path.c_str(), rt->plugins->names().size());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
}

int bootstrap(const std::string& config_path, const std::string& exe_dir, bool force) {
  try {
    Config cfg = load_config(config_path, exe_dir);
    ensure_state_dir(cfg.state_dir);
    std::unique_ptr<Services> services;
    try {
      services = open_services(cfg);
    } catch (const store::StoreLockedError& e) {
      throw std::runtime_error(std::string("the daemon is running (") + e.what() +
                               "); stop it first, e.g. systemctl stop fathom-auth");
    } catch (const audit::AuditLockedError& e) {
      throw std::runtime_error(std::string("the daemon is running (") + e.what() +
                               "); stop it first, e.g. systemctl stop fathom-auth");
    }
    auto minted =
        mint_bootstrap_token(*services->token_store, *services->hasher, services->audit(),
                             force ? BootstrapWhen::forced : BootstrapWhen::no_lasting_admin);
    if (force) {
      std::fprintf(stderr,
                   "fathom-auth bootstrap: forced; minted admin token %s (recorded in the audit "
                   "as token.created). Revoke the admin tokens you no longer trust with it.\n",
                   minted->token_id.c_str());
    }
    std::printf("%s\n", minted->secret.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fathom-auth bootstrap: %s\n", e.what());
    return 1;
  }
}

int serve(const std::string& config_path, const std::string& exe_dir) {
  // Before the hash key is read or a token seen: a process that is not dumpable writes no core
  // file (which would hold the key and recent tokens), and only root may ptrace it or read its
  // memory through /proc, not every process of its user.
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    log::warn("dumpable_not_cleared",
              {{"message", std::string("prctl(PR_SET_DUMPABLE, 0) failed: ") +
                               std::strerror(errno) + "; a core dump could hold secrets"}});
  }
  evthread_use_pthreads();
  signal(SIGPIPE, SIG_IGN);
  Server s;
  s.start_time =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  s.config_path = config_path;
  s.exe_dir = exe_dir;
  // systemd's variables are read and cleared before any thread starts (setenv is not
  // thread-safe).
  s.notifier = sd::Notifier::from_environment();
  std::optional<std::chrono::microseconds> watchdog = sd::watchdog_from_environment();
  std::vector<int> passed_fds;
  try {
    passed_fds = sd::take_listen_fds();
  } catch (const std::exception& e) {
    log::error("listen_failed", {{"message", e.what()}});
    return 1;
  }
  try {
    Config cfg = load_config(config_path, exe_dir);
    log::set_level(cfg.log_level);
    ensure_state_dir(cfg.state_dir);
    s.services = open_services(cfg);
    // On Redis only the instance that found it empty mints, so that several proxies starting at
    // once make one bootstrap token; one that cannot reach it yet starts anyway (/readyz 503).
    store_redis::RedisStore* redis = s.services->redis;
    if (redis != nullptr) {
      note_redis_initialized(s.services.get(), cfg);
      if (!redis->ready()) {
        log::warn("store_unavailable", {{"message", redis->problem()}});
      }
    }
    const bool may_bootstrap = redis == nullptr || (redis->ready() && redis->fresh());
    const std::string bootstrap_path = cfg.state_dir + "/bootstrap-token";
    if (auto minted = may_bootstrap
                          ? mint_bootstrap_token(*s.services->token_store, *s.services->hasher,
                                                 s.services->audit(), BootstrapWhen::store_empty)
                          : std::nullopt) {
      write_secret_file(bootstrap_path, minted->secret);
      auth::cleanse(minted->secret);
      log::warn("bootstrap_token_created",
                {{"path", bootstrap_path},
                 {"token_id", minted->token_id},
                 {"message",
                  "the first admin token is in this file; mint your own with it, then revoke "
                  "or rotate it (the daemon then deletes the file)"}});
    }
    s.bootstrap_file = BootstrapTokenFile::open_existing(bootstrap_path, *s.services->hasher);
    if (s.bootstrap_file) {
      // A rotation without a grace period invalidates nothing, so plugins' rotations are
      // watched here; revocations and expiries arrive as invalidations (below).
      std::shared_ptr<BootstrapTokenFile> watch = s.bootstrap_file;
      s.services->plugin_store = std::make_unique<RotationWatchStore>(
          *s.services->token_store, [watch](const TokenRecord& old) {
            if (old.secret_hash == watch->secret_hash()) {
              watch->remove(old.token_id, "rotated to " + old.rotated_to);
            }
          });
      // Revoked or rotated while this daemon was stopped, or on another instance.
      s.bootstrap_file->check(*s.services->token_store, static_cast<UnixTime>(std::time(nullptr)));
    }
    s.runtimes.publish(build_runtime(std::move(cfg), s.generation, s.services.get()));
  } catch (const std::exception& e) {
    log::error("start_failed", {{"message", e.what()}});
    return 2;
  }
  auto rt = s.runtimes.load();
  try {
    for (unsigned i = 0; i < rt->config.workers; ++i) {
      s.workers.push_back(std::make_unique<Worker>(i, s.runtimes, *s.services));
      if (passed_fds.empty()) {
        s.workers.back()->listen(rt->config.listen);
      } else {
        s.workers.back()->adopt(passed_fds);  // socket activation: `listen` is not bound
      }
    }
  } catch (const std::exception& e) {
    log::error("listen_failed", {{"message", e.what()}});
    return 1;
  }
  std::string addresses;
  for (int fd : passed_fds) {
    addresses += (addresses.empty() ? "" : " ") + sd::describe_socket(fd);
    ::close(fd);  // every worker holds its own dup
  }
  s.base = event_base_new();
  if (const std::optional<ListenAddress>& m = rt->config.metrics.listen) {
    try {
      s.metrics =
          std::make_unique<metrics::MetricsServer>(s.base, *m, [&s] { return render_metrics(s); });
    } catch (const std::exception& e) {
      log::error("listen_failed", {{"message", e.what()}});
      event_base_free(s.base);
      return 1;
    }
  }
  event* hup = evsignal_new(
      s.base, SIGHUP, [](evutil_socket_t, short, void* arg) { reload(*static_cast<Server*>(arg)); },
      &s);
  event* term = evsignal_new(
      s.base, SIGTERM, [](evutil_socket_t, short, void* arg) { stop(*static_cast<Server*>(arg)); },
      &s);
  event* intr = evsignal_new(
      s.base, SIGINT, [](evutil_socket_t, short, void* arg) { stop(*static_cast<Server*>(arg)); },
      &s);
  evsignal_add(hup, nullptr);
  evsignal_add(term, nullptr);
  evsignal_add(intr, nullptr);
  // A revocation anywhere: the cache forgets the token before the revoke is acknowledged, and
  // every worker ends the streams still open on it.
  if (store_redis::RedisStore* redis = s.services->redis) {
    // The revocation channel dropped or came back. Back: events may have been missed, so the
    // cache starts over. Dropped while Redis still answers: revocations elsewhere could go
    // unheard, so it starts over too (and is bypassed until resubscribed). Dropped because
    // Redis is down: no revocation can happen meanwhile, and the entries serve stale-if-error.
    redis->on_resync([&s, redis] {
      if (redis->ready()) s.services->cache->clear();
    });
  }
  s.services->token_store->subscribe([&s, watch = s.bootstrap_file](const Invalidation& inv) {
    s.services->cache->invalidate(inv.secret_hash);
    // Revoked, expired, or given an end by a rotation with a grace period: retired either way.
    if (watch && inv.secret_hash == watch->secret_hash()) {
      watch->remove(inv.token_id, "revoked, expired or rotated");
    }
    for (auto& w : s.workers) {
      Worker* worker = w.get();
      worker->post([worker, id = inv.token_id] { worker->token_invalidated(id); });
    }
  });
  if (watchdog) {
    // Workers beat several times per ping, so one slow callback does not withhold a ping.
    for (auto& w : s.workers)
      w->beat_every(std::max(*watchdog / 8, std::chrono::microseconds(1000)));
    s.beats.assign(s.workers.size(), 0);
    s.watchdog = event_new(
        s.base, -1, EV_PERSIST,
        [](evutil_socket_t, short, void* arg) { watchdog_tick(*static_cast<Server*>(arg)); }, &s);
    auto half = *watchdog / 2;
    timeval tv{static_cast<time_t>(half.count() / 1000000),
               static_cast<suseconds_t>(half.count() % 1000000)};
    event_add(s.watchdog, &tv);
  }
  for (auto& w : s.workers) w->start();
  s.upkeep = evtimer_new(
      s.base, [](evutil_socket_t, short, void* arg) { upkeep(*static_cast<Server*>(arg)); }, &s);
  evtimer_add(s.upkeep, &kUpkeepFirst);

  for (const ListenAddress& a : rt->config.listen) {
    if (!passed_fds.empty()) break;
    if (!addresses.empty()) addresses += ' ';
    addresses += a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host;
    addresses += ":" + std::to_string(a.port);
  }
  std::string metrics_address = "off";
  if (const std::optional<ListenAddress>& m = rt->config.metrics.listen) {
    metrics_address = m->host.find(':') != std::string::npos ? "[" + m->host + "]" : m->host;
    metrics_address += ":" + std::to_string(s.metrics->port());
  }
  log::info("listening", {{"listen", addresses},
                          {"metrics", metrics_address},
                          {"workers", rt->config.workers},
                          {"upstream", rt->config.upstream.url},
                          {"plugins", static_cast<long long>(rt->plugins->names().size())},
                          {"socket_activation", !passed_fds.empty()}});
  s.notifier.send("READY=1\nSTATUS=listening on " + addresses);
  rt.reset();

  event_base_dispatch(s.base);
  s.metrics.reset();  // it reads the workers' metrics
  for (auto& w : s.workers) w->join();
  s.workers.clear();
  // The store's writer finishes every queued write (and its callbacks into plugin code) before
  // the plugins are unloaded; the plugins go before anything else they may hold.
  s.services->token_store->quiesce();
  if (s.services->audit_log != nullptr) s.services->audit_log->quiesce();
  s.runtimes.publish(nullptr);
  s.services.reset();
  event_free(s.upkeep);
  event_free(hup);
  event_free(term);
  event_free(intr);
  if (s.watchdog != nullptr) event_free(s.watchdog);
  event_base_free(s.base);
  log::info("stopped");
  return 0;
}

}  // namespace fathom
