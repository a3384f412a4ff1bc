// The one header a fathom-auth plugin needs.
//
// A plugin is a shared object that exports one C symbol, `fathom_plugin_descriptor`, returning a
// descriptor. The daemon refuses a descriptor whose ABI version or toolchain signature differs
// from its own, naming both: the interface below is C++, so a plugin must be built with the same
// compiler family and standard library ABI as the daemon.
//
// A plugin instance may offer a scope policy, a route handler, or both. Both are called from
// several worker threads at once and must be safe for that: keep per-instance state immutable
// after create(), or guard it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fathom/audit.h"
#include "fathom/token_store.h"

#define FATHOM_PLUGIN_ABI_VERSION 3u

// Compiler family, major version and standard library ABI: the parts that must agree for C++
// objects to cross the plugin boundary.
#define FATHOM_STR2(x) #x
#define FATHOM_STR(x) FATHOM_STR2(x)
#if defined(__clang__)
#define FATHOM_COMPILER "clang-" FATHOM_STR(__clang_major__)
#elif defined(__GNUC__)
#define FATHOM_COMPILER "gcc-" FATHOM_STR(__GNUC__)
#else
#define FATHOM_COMPILER "unknown"
#endif
#if defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI
#define FATHOM_STDLIB "libstdc++-cxx11"
#elif defined(_LIBCPP_VERSION)
#define FATHOM_STDLIB "libc++"
#else
#define FATHOM_STDLIB "libstdc++-old"
#endif
#define FATHOM_TOOLCHAIN FATHOM_COMPILER "/" FATHOM_STDLIB

namespace fathom {

// The authenticated caller. Scopes are as granted; `admin` holds every scope.
struct Identity {
  std::string token_id;
  std::string name;
  std::vector<std::string> scopes;

  bool has_scope(std::string_view scope) const {
    for (const std::string& s : scopes) {
      if (s == scope || s == "admin") return true;
    }
    return false;
  }
};

// What a plugin may read of a request. Valid only during the call it is passed to.
class Request {
 public:
  virtual ~Request() = default;
  virtual std::string_view method() const = 0;
  virtual std::string_view path() const = 0;   // validated, never decoded, no query
  virtual std::string_view query() const = 0;  // without '?'
  // First header of that name (case-insensitive). Authorization is never offered to plugins.
  virtual std::optional<std::string_view> header(std::string_view name) const = 0;
  virtual std::string_view client_address() const = 0;
  virtual std::string_view request_id() const = 0;
  // The authenticated caller, or nullptr while unauthenticated (policies run before a token is
  // looked up when the route may be public; see docs/plugins.md).
  virtual const Identity* identity() const = 0;
};

// ---------------------------------------------------------------------------------------------
// Scope policies

enum class Verdict : uint8_t {
  abstain,       // no opinion: the next policy decides
  allow_public,  // no credentials needed
  require,       // a valid token holding every scope in `scopes` (none: any valid token)
  deny,          // refused whatever the token
};

struct PolicyDecision {
  Verdict verdict = Verdict::abstain;
  // Owned by the policy instance (immutable config), so deciding allocates nothing.
  std::span<const std::string> scopes;
  std::string_view reason;  // for logs and explain: which rule decided

  static PolicyDecision abstain() { return {}; }
  static PolicyDecision allow_public(std::string_view reason) {
    return {Verdict::allow_public, {}, reason};
  }
  static PolicyDecision require(std::span<const std::string> scopes, std::string_view reason) {
    return {Verdict::require, scopes, reason};
  }
  static PolicyDecision deny(std::string_view reason) { return {Verdict::deny, {}, reason}; }
};

class ScopePolicy {
 public:
  virtual ~ScopePolicy() = default;
  virtual PolicyDecision decide(const Request& request) const = 0;
};

// ---------------------------------------------------------------------------------------------
// Route handlers

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// Answers one request. respond() may be called from any thread, exactly once. If the client has
// gone, respond() does nothing and cancelled() turns true; a handler doing slow work can check it.
class Responder {
 public:
  virtual ~Responder() = default;
  virtual void respond(Response response) = 0;
  virtual bool cancelled() const = 0;
};

class RouteHandler {
 public:
  virtual ~RouteHandler() = default;
  // Does this handler answer the request? If so, the returned decision says what access it needs
  // (allow_public, require, or deny); the daemon authenticates accordingly before handle().
  virtual std::optional<PolicyDecision> claim(const Request& request) const = 0;
  // Called with the identity checked and the whole body read (bounded by limits.max_handler_body).
  virtual void handle(const Request& request, std::string_view body,
                      std::shared_ptr<Responder> responder) = 0;
};

// ---------------------------------------------------------------------------------------------
// Plugin instances

enum class LogLevel : uint8_t { debug, info, warn, error };

// A freshly minted secret: `token` goes to the client once and nowhere else; `secret_hash` is
// what the store keeps.
struct NewSecret {
  std::string token;
  std::string secret_hash;
};

// What the daemon offers a plugin instance. Lives as long as the instance.
class Host {
 public:
  virtual ~Host() = default;
  // Writes one JSON log line tagged with the plugin's name. Never pass a secret.
  virtual void log(LogLevel level, std::string_view event, std::string_view message) = 0;
  // The token store, or nullptr when the daemon runs without one (check-config).
  virtual TokenStore* store() { return nullptr; }
  // A new token secret ("fth_…") from OpenSSL's RAND_bytes, and its keyed hash.
  virtual NewSecret new_secret() = 0;
  // A new token id ("tok_…").
  virtual std::string new_token_id() = 0;
  // The audit trail, or nullptr when the daemon runs without one (check-config).
  virtual AuditLog* audit() { return nullptr; }
  // A new pair code ("pair_" + 24 base62 from RAND_bytes) and its keyed hash, and a new pair
  // code id ("pc_" + 16 base62).
  virtual NewSecret new_pair_code() = 0;
  virtual std::string new_pair_code_id() = 0;
  // The keyed hash of a presented secret (a pair code being redeemed), as the store keeps it.
  virtual std::string hash_secret(std::string_view secret) = 0;
  // The per-address failure limit that guards bearer tokens, for credentials a handler checks
  // itself (pair codes). rate_limited() answers the whole seconds to wait, or 0 when the address
  // may try; count_failure() spends one attempt.
  virtual int rate_limited(std::string_view client_address) = 0;
  virtual void count_failure(std::string_view client_address) = 0;
};

class Plugin {
 public:
  virtual ~Plugin() = default;
  virtual ScopePolicy* policy() { return nullptr; }
  virtual RouteHandler* handler() { return nullptr; }
};

struct PluginDescriptor {
  uint32_t abi_version;   // FATHOM_PLUGIN_ABI_VERSION the plugin was built against
  const char* toolchain;  // FATHOM_TOOLCHAIN the plugin was built with
  const char* name;       // the plugin's name, as in the config
  // Creates an instance from its JSON config text ("null" when the config has none). On a bad
  // config returns nullptr and sets `error` to a message naming the key.
  Plugin* (*create)(Host& host, std::string_view config_json, std::string& error);
  void (*destroy)(Plugin* plugin);
};

}  // namespace fathom

extern "C" {
// The symbol the loader looks up.
typedef const fathom::PluginDescriptor* (*fathom_plugin_descriptor_fn)();
}

// Defines the exported symbol for a plugin class `Type` constructible as
// `Type(fathom::Host&, std::string_view config_json)`, which throws std::invalid_argument with a
// message naming the key on a bad config.
#define FATHOM_PLUGIN(plugin_name, Type)                                                 \
  namespace {                                                                            \
  fathom::Plugin* fathom_plugin_create(fathom::Host& host, std::string_view config_json, \
                                       std::string& error) {                             \
    try {                                                                                \
      return new Type(host, config_json);                                                \
    } catch (const std::exception& e) {                                                  \
      error = e.what();                                                                  \
      return nullptr;                                                                    \
    }                                                                                    \
  }                                                                                      \
  void fathom_plugin_destroy(fathom::Plugin* p) {                                        \
    delete p;                                                                            \
  }                                                                                      \
  const fathom::PluginDescriptor fathom_plugin_desc = {                                  \
      FATHOM_PLUGIN_ABI_VERSION, FATHOM_TOOLCHAIN, plugin_name, &fathom_plugin_create,   \
      &fathom_plugin_destroy};                                                           \
  }                                                                                      \
  extern "C" __attribute__((visibility("default"))) const fathom::PluginDescriptor*      \
  fathom_plugin_descriptor() {                                                           \
    return &fathom_plugin_desc;                                                          \
  }
