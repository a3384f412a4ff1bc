// Loading plugins. The interface in fathom/plugin.h is C++, so a plugin built against another
// version of it, or by another compiler or standard library, would corrupt memory in ways no later
// check could explain. Every check that can be made before calling into the plugin is made, in an
// order where each only reads what the previous one proved safe to read.

#include "plugin_host/plugin_loader.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "ops/log.h"

namespace fathom {

namespace {

// What a plugin instance may ask of the daemon. One per instance, so every line it logs carries
// the name it was configured under.
class PluginHost final : public Host {
 public:
  PluginHost(std::string name, HostServices* services)
      : name_(std::move(name)), services_(services) {}

  TokenStore* store() override { return services_ != nullptr ? services_->store() : nullptr; }
  NewSecret new_secret() override { return need_services().new_secret(); }
  std::string new_token_id() override { return need_services().new_token_id(); }
  AuditLog* audit() override { return services_ != nullptr ? services_->audit() : nullptr; }
  NewSecret new_pair_code() override { return need_services().new_pair_code(); }
  std::string new_pair_code_id() override { return need_services().new_pair_code_id(); }
  std::string hash_secret(std::string_view secret) override {
    return need_services().hash_secret(secret);
  }
  int rate_limited(std::string_view client_address) override {
    return services_ != nullptr ? services_->rate_limited(client_address) : 0;
  }
  void count_failure(std::string_view client_address) override {
    if (services_ != nullptr) services_->count_failure(client_address);
  }

  void log(LogLevel level, std::string_view event, std::string_view message) override {
    log::write(to_setting(level), event, {{"plugin", name_}, {"message", message}});
  }

 private:
  static LogLevelSetting to_setting(LogLevel level) {
    switch (level) {
      case LogLevel::debug:
        return LogLevelSetting::debug;
      case LogLevel::info:
        return LogLevelSetting::info;
      case LogLevel::warn:
        return LogLevelSetting::warn;
      case LogLevel::error:
        break;
    }
    // Anything else is a plugin passing a value this daemon does not know; err loud.
    return LogLevelSetting::error;
  }

  HostServices& need_services() {
    if (services_ == nullptr) throw std::logic_error("no token store in this mode");
    return *services_;
  }

  std::string name_;
  HostServices* services_;
};

std::string describe(const PluginConfig& config) {
  return "plugin \"" + config.name + "\" (" + config.path + ")";
}

}  // namespace

// One loaded plugin: its object file, its host and its instance. The instance's code lives in the
// object file, so the instance is destroyed (by the plugin's own destroy, which knows how it was
// allocated) before the file is closed; the host outlives the instance, as promised in plugin.h.
class LoadedPlugin {
 public:
  LoadedPlugin(const PluginConfig& config, HostServices* services) : host_(config.name, services) {}
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  ~LoadedPlugin() {
    if (instance_ != nullptr) descriptor_->destroy(instance_);
    // A store callback the plugin handed over may still be returning through the plugin's code
    // on the store's thread; the object file must outlive that.
    if (TokenStore* store = host_.store()) store->quiesce();
    // Then the audit: a store callback may have handed it one more record_durable callback.
    if (AuditLog* audit = host_.audit()) audit->quiesce();
    if (handle_ != nullptr) dlclose(handle_);
  }

  void load(const PluginConfig& config) {
    struct stat st {};
    if (::stat(config.path.c_str(), &st) != 0) {
      throw PluginError(describe(config) + ": " + std::strerror(errno));
    }

    handle_ = dlopen(config.path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) {
      const char* why = dlerror();
      throw PluginError(describe(config) + ": cannot load: " + (why ? why : "unknown error"));
    }

    dlerror();  // clear, so a null result below is told apart from a lookup failure
    void* symbol = dlsym(handle_, "fathom_plugin_descriptor");
    if (symbol == nullptr) {
      throw PluginError(describe(config) +
                        ": not a fathom-auth plugin (it exports no fathom_plugin_descriptor)");
    }
    auto get_descriptor = reinterpret_cast<fathom_plugin_descriptor_fn>(symbol);
    descriptor_ = get_descriptor();
    if (descriptor_ == nullptr) {
      throw PluginError(describe(config) + ": fathom_plugin_descriptor returned no descriptor");
    }

    // The version comes first: the fields after it are only known to mean what we think if the
    // plugin speaks our ABI.
    if (descriptor_->abi_version != FATHOM_PLUGIN_ABI_VERSION) {
      throw PluginError(describe(config) + " was built for plugin ABI " +
                        std::to_string(descriptor_->abi_version) + "; this daemon speaks ABI " +
                        std::to_string(FATHOM_PLUGIN_ABI_VERSION));
    }
    const char* toolchain = descriptor_->toolchain ? descriptor_->toolchain : "(none)";
    if (std::strcmp(toolchain, FATHOM_TOOLCHAIN) != 0) {
      throw PluginError(describe(config) + " was built with " + toolchain +
                        "; this daemon was built with " FATHOM_TOOLCHAIN
                        " and a plugin must use the same compiler and standard library");
    }
    const char* name = descriptor_->name ? descriptor_->name : "";
    if (config.name != name) {
      throw PluginError(describe(config) + " is the plugin \"" + name +
                        "\"; the config must name it so");
    }
    if (descriptor_->create == nullptr || descriptor_->destroy == nullptr) {
      throw PluginError(describe(config) + ": the descriptor lacks create or destroy");
    }

    std::string error;
    try {
      instance_ = descriptor_->create(host_, config.config_json, error);
    } catch (const std::exception& e) {
      // Plugins built with FATHOM_PLUGIN never throw from create; a hand-written one might.
      error = e.what();
    }
    if (instance_ == nullptr) {
      throw PluginError("plugin \"" + config.name +
                        "\": " + (error.empty() ? "create failed without saying why" : error));
    }
  }

  Plugin& instance() { return *instance_; }

 private:
  void* handle_ = nullptr;
  const PluginDescriptor* descriptor_ = nullptr;
  PluginHost host_;
  Plugin* instance_ = nullptr;
};

PluginSet::~PluginSet() {
  // Last loaded, first unloaded: the mirror of loading, so nothing outlives what it came after.
  while (!loaded_.empty()) loaded_.pop_back();
}

std::shared_ptr<PluginSet> load_plugins(const std::vector<PluginConfig>& plugins,
                                        HostServices* services) {
  auto set = std::make_shared<PluginSet>();
  for (const PluginConfig& config : plugins) {
    // Owned by the set before load() runs, so a refusal part way through still unloads it and
    // every plugin loaded before it.
    set->loaded_.push_back(std::make_unique<LoadedPlugin>(config, services));
    LoadedPlugin& loaded = *set->loaded_.back();
    loaded.load(config);

    ScopePolicy* policy = loaded.instance().policy();
    RouteHandler* handler = loaded.instance().handler();
    if (policy != nullptr) {
      set->policies_.push_back(policy);
      set->policy_names_.push_back(config.name);
    }
    if (handler != nullptr) {
      set->handlers_.push_back(handler);
      set->handler_names_.push_back(config.name);
    }
    set->names_.push_back(config.name);
    if (policy == nullptr && handler == nullptr) {
      log::warn("plugin_does_nothing",
                {{"plugin", config.name}, {"message", "it offers neither a policy nor a handler"}});
    }
    log::info("plugin_loaded", {{"plugin", config.name},
                                {"path", config.path},
                                {"policy", policy != nullptr},
                                {"handler", handler != nullptr}});
  }
  return set;
}

}  // namespace fathom
