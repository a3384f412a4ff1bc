// A plugin written as an outside author would write one: this file includes only fathom/plugin.h
// and links nothing of the daemon. If it builds and loads, the public interface is enough.
//
// "test-echo-policy": paths starting with config.public_prefix are public; everything else
// abstains. Config: {"public_prefix": "/open/"} or none (then it always abstains).

#include <stdexcept>
#include <string>
#include <string_view>

#include "fathom/plugin.h"

namespace {

// Just enough JSON for {"public_prefix": "<text without escapes>"}, since an outside author
// cannot count on the daemon's JSON library being available to them.
class ConfigReader {
 public:
  explicit ConfigReader(std::string_view text) : text_(text) {}

  std::string public_prefix() {
    skip_space();
    if (text_.substr(pos_) == "null") return "";
    expect('{');
    skip_space();
    if (peek() == '}') return "";
    if (read_string() != "public_prefix") {
      throw std::invalid_argument("unknown key (test-echo-policy takes only public_prefix)");
    }
    skip_space();
    expect(':');
    skip_space();
    std::string prefix = read_string();
    if (!prefix.starts_with('/')) throw std::invalid_argument("public_prefix: must start with /");
    skip_space();
    expect('}');
    return prefix;
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_space() {
    while (peek() == ' ' || peek() == '\n' || peek() == '\t' || peek() == '\r') ++pos_;
  }
  void expect(char c) {
    if (peek() != c) throw std::invalid_argument(std::string("config: expected '") + c + "'");
    ++pos_;
  }
  std::string read_string() {
    expect('"');
    const size_t end = text_.find('"', pos_);
    if (end == std::string_view::npos) throw std::invalid_argument("config: unterminated string");
    std::string out(text_.substr(pos_, end - pos_));
    if (out.find('\\') != std::string::npos) {
      throw std::invalid_argument("config: escapes are not supported here");
    }
    pos_ = end + 1;
    return out;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

class EchoPolicy final : public fathom::ScopePolicy {
 public:
  explicit EchoPolicy(std::string prefix) : prefix_(std::move(prefix)) {}

  fathom::PolicyDecision decide(const fathom::Request& request) const override {
    if (!prefix_.empty() && request.path().starts_with(prefix_)) {
      return fathom::PolicyDecision::allow_public("test-echo-policy: public prefix");
    }
    return fathom::PolicyDecision::abstain();
  }

 private:
  std::string prefix_;
};

class EchoPlugin final : public fathom::Plugin {
 public:
  EchoPlugin(fathom::Host& host, std::string_view config_json)
      : policy_(ConfigReader(config_json).public_prefix()) {
    host.log(fathom::LogLevel::info, "echo_policy_created",
             std::string("config ") + std::string(config_json));
  }

  fathom::ScopePolicy* policy() override { return &policy_; }

 private:
  EchoPolicy policy_;
};

}  // namespace

FATHOM_PLUGIN("test-echo-policy", EchoPlugin)
