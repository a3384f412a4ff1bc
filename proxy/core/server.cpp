#include "core/server.h"

#include <event2/event.h>
#include <event2/thread.h>
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "core/bootstrap.h"
#include "core/runtime.h"
#include "core/services.h"
#include "core/worker.h"
#include "ops/log.h"

namespace fathom {
namespace {

struct Server {
  std::string config_path;
  std::string exe_dir;
  RuntimeHolder runtimes;
  std::unique_ptr<Services> services;
  std::vector<std::unique_ptr<Worker>> workers;
  event_base* base = nullptr;
  uint64_t generation = 1;
  bool stopping = false;
};

void reload(Server& s) {
  log::info("reloading", {{"config", s.config_path}});
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
    log::set_level(cfg.log_level);
    s.runtimes.publish(build_runtime(std::move(cfg), ++s.generation, s.services.get()));
    log::info("reloaded", {{"generation", static_cast<long long>(s.generation)}});
  } catch (const std::exception& e) {
    log::error("reload_refused", {{"message", e.what()}});
  }
}

void stop(Server& s) {
  if (s.stopping) return;
  s.stopping = true;
  auto deadline = s.runtimes.load()->config.timeouts.drain;
  log::info("stopping", {{"drain_ms", static_cast<long long>(deadline.count())}});
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

int bootstrap(const std::string& config_path, const std::string& exe_dir) {
  try {
    Config cfg = load_config(config_path, exe_dir);
    ensure_state_dir(cfg.state_dir);
    auto services = open_services(cfg);
    auto secret = mint_bootstrap_token(*services->token_store, *services->hasher,
                                       BootstrapWhen::no_active_admin);
    std::printf("%s\n", secret->c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fathom-auth bootstrap: %s\n", e.what());
    return 1;
  }
}

int serve(const std::string& config_path, const std::string& exe_dir) {
  evthread_use_pthreads();
  signal(SIGPIPE, SIG_IGN);
  Server s;
  s.config_path = config_path;
  s.exe_dir = exe_dir;
  try {
    Config cfg = load_config(config_path, exe_dir);
    log::set_level(cfg.log_level);
    ensure_state_dir(cfg.state_dir);
    s.services = open_services(cfg);
    if (auto secret = mint_bootstrap_token(*s.services->token_store, *s.services->hasher,
                                           BootstrapWhen::store_empty)) {
      std::string path = cfg.state_dir + "/bootstrap-token";
      write_secret_file(path, *secret);
      log::warn("bootstrap_token_created",
                {{"path", path},
                 {"message",
                  "the first admin token is in this file; mint your own with it, "
                  "then delete the file"}});
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
      s.workers.back()->listen(rt->config.listen);
    }
  } catch (const std::exception& e) {
    log::error("listen_failed", {{"message", e.what()}});
    return 1;
  }
  s.base = event_base_new();
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
  s.services->token_store->subscribe([&s](const Invalidation& inv) {
    s.services->cache->invalidate(inv.secret_hash);
    for (auto& w : s.workers) {
      Worker* worker = w.get();
      worker->post([worker, id = inv.token_id] { worker->token_invalidated(id); });
    }
  });
  for (auto& w : s.workers) w->start();

  std::string addresses;
  for (const ListenAddress& a : rt->config.listen) {
    if (!addresses.empty()) addresses += ' ';
    addresses += a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host;
    addresses += ":" + std::to_string(a.port);
  }
  log::info("listening", {{"listen", addresses},
                          {"workers", rt->config.workers},
                          {"upstream", rt->config.upstream.url},
                          {"plugins", static_cast<long long>(rt->plugins->names().size())}});
  rt.reset();

  event_base_dispatch(s.base);
  for (auto& w : s.workers) w->join();
  s.workers.clear();
  // The store's writer finishes every queued write (and its callbacks into plugin code) before
  // the plugins are unloaded; the plugins go before anything else they may hold.
  s.services->token_store->quiesce();
  s.runtimes.publish(nullptr);
  s.services.reset();
  event_free(hup);
  event_free(term);
  event_free(intr);
  event_base_free(s.base);
  log::info("stopped");
  return 0;
}

}  // namespace fathom
