// The rule table is built and checked once, from the config; deciding a request is then a walk
// over plain vectors that allocates nothing.

#include "scope_rules.h"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace fathom::scope_rules {

namespace {

// ordered_json, so that the first bad key reported is the first one in the user's file.
using Json = nlohmann::ordered_json;

constexpr size_t kMaxScopes = 32;
constexpr size_t kMaxPrefix = 2048;

[[noreturn]] void fail(const std::string& key, const std::string& problem) {
  throw std::invalid_argument(key + ": " + problem);
}

bool is_lower_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// Methods are case-sensitive (RFC 9110), and every registered one is uppercase; a lowercase
// "get" in the config would never match and is almost certainly a slip.
bool is_method(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::vector<std::string> parse_methods(const Json& value, const std::string& key) {
  if (!value.is_array() || value.empty()) {
    fail(key,
         "must be a non-empty array of methods such as [\"GET\", \"HEAD\"]; leave it out to "
         "match every method");
  }
  std::vector<std::string> methods;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string item_key = key + "[" + std::to_string(i) + "]";
    if (!value[i].is_string() || !is_method(value[i].get_ref<const std::string&>())) {
      fail(item_key, "must be an uppercase method name such as \"GET\"");
    }
    methods.push_back(value[i].get<std::string>());
  }
  return methods;
}

std::string parse_prefix(const Json& value, const std::string& key) {
  if (!value.is_string()) fail(key, "must be a string starting with \"/\"");
  const std::string& prefix = value.get_ref<const std::string&>();
  if (!prefix.starts_with('/')) fail(key, "must start with \"/\"");
  if (prefix.size() > kMaxPrefix) fail(key, "must be at most 2048 characters");
  for (char c : prefix) {
    // Paths are matched as sent, never decoded: a space or a control character can never
    // appear in a valid request path, so a prefix holding one could never match.
    if (c <= 0x20 || c >= 0x7f) {
      fail(key, "must be printable ASCII without spaces (paths are matched as sent, not decoded)");
    }
    if (c == '?' || c == '#') {
      fail(key, "must not contain \"?\" or \"#\": the path matched never includes the query");
    }
  }
  return prefix;
}

std::vector<std::string> parse_scopes(const Json& value, const std::string& key) {
  if (!value.is_array() || value.empty() || value.size() > kMaxScopes) {
    fail(key, "must be an array of 1 to 32 scopes such as [\"lake:read\"]");
  }
  std::vector<std::string> scopes;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string item_key = key + "[" + std::to_string(i) + "]";
    if (!value[i].is_string() || !is_valid_scope(value[i].get_ref<const std::string&>())) {
      fail(item_key,
           "must be a scope such as \"lake:read\": lowercase letters, digits, '_' or '-', "
           "optionally ':' and a qualifier, at most 64 characters");
    }
    scopes.push_back(value[i].get<std::string>());
  }
  return scopes;
}

// "public": true and "deny": true are flags; false would read as "not public", which is what
// leaving the key out already means, so it is refused rather than guessed at.
void require_true(const Json& value, const std::string& key) {
  if (!value.is_boolean() || !value.get<bool>()) fail(key, "must be true (or left out)");
}

Rule parse_rule(const Json& value, size_t index) {
  const std::string key = "rules[" + std::to_string(index) + "]";
  if (!value.is_object())
    fail(key,
         "must be an object with \"prefix\" and one of \"scopes\", "
         "\"public\" or \"deny\"");
  for (auto it = value.begin(); it != value.end(); ++it) {
    static constexpr std::string_view kKnown[] = {"methods", "prefix", "scopes", "public", "deny"};
    if (std::find(std::begin(kKnown), std::end(kKnown), it.key()) == std::end(kKnown)) {
      fail(key + "." + it.key(),
           "unknown key (a rule has methods, prefix, and one of scopes, "
           "public or deny)");
    }
  }

  Rule rule;
  if (auto it = value.find("methods"); it != value.end()) {
    rule.methods = parse_methods(*it, key + ".methods");
  }
  auto prefix = value.find("prefix");
  if (prefix == value.end()) fail(key + ".prefix", "is required (use \"/\" for every path)");
  rule.prefix = parse_prefix(*prefix, key + ".prefix");

  const bool has_scopes = value.contains("scopes");
  const bool is_public = value.contains("public");
  const bool is_deny = value.contains("deny");
  if (int{has_scopes} + int{is_public} + int{is_deny} != 1) {
    fail(key, "needs exactly one of \"scopes\", \"public\" or \"deny\"");
  }
  if (has_scopes) {
    rule.verdict = Verdict::require;
    rule.scopes = parse_scopes(value["scopes"], key + ".scopes");
  } else if (is_public) {
    require_true(value["public"], key + ".public");
    rule.verdict = Verdict::allow_public;
  } else {
    require_true(value["deny"], key + ".deny");
    rule.verdict = Verdict::deny;
  }
  rule.reason = "scope-rules: " + key + " (prefix " + rule.prefix + ")";
  return rule;
}

std::vector<Rule> default_table() {
  // An empty prefix matches every request target, including "*" (OPTIONS * HTTP/1.1).
  Rule read{{"GET", "HEAD", "OPTIONS"},
            "",
            Verdict::require,
            {"lake:read"},
            "scope-rules: default table (GET, HEAD, OPTIONS need lake:read)"};
  Rule write{{},
             "",
             Verdict::require,
             {"lake:write"},
             "scope-rules: default table (other methods need lake:write)"};
  return {std::move(read), std::move(write)};
}

}  // namespace

bool is_valid_scope(std::string_view scope) {
  if (scope.empty() || scope.size() > 64 || scope[0] < 'a' || scope[0] > 'z') return false;
  const size_t colon = scope.find(':');
  const std::string_view name = scope.substr(0, colon);
  if (!std::all_of(name.begin(), name.end(),
                   [](char c) { return is_lower_or_digit(c) || c == '_' || c == '-'; })) {
    return false;
  }
  if (colon == std::string_view::npos) return true;
  const std::string_view qualifier = scope.substr(colon + 1);
  return !qualifier.empty() && std::all_of(qualifier.begin(), qualifier.end(), [](char c) {
    return is_lower_or_digit(c) || c == '_' || c == '*' || c == '.' || c == '-';
  });
}

bool Rule::matches(std::string_view method, std::string_view path) const {
  if (!methods.empty() && std::find(methods.begin(), methods.end(), method) == methods.end()) {
    return false;
  }
  return path.starts_with(prefix);
}

ScopeRules::ScopeRules(std::string_view config_json) {
  Json config;
  try {
    config = Json::parse(config_json);
  } catch (const Json::exception& e) {
    // The daemon hands over JSON it has already parsed, so only a caller bug lands here.
    throw std::invalid_argument(std::string("config is not valid JSON: ") + e.what());
  }
  if (config.is_null()) {
    rules_ = default_table();
    default_table_ = true;
    return;
  }
  if (!config.is_object()) fail("config", "must be an object such as {\"rules\": […]} or absent");
  for (auto it = config.begin(); it != config.end(); ++it) {
    if (it.key() != "rules") fail(it.key(), "unknown key (scope-rules takes only \"rules\")");
  }
  auto rules = config.find("rules");
  if (rules == config.end()) {
    rules_ = default_table();
    default_table_ = true;
    return;
  }
  if (!rules->is_array() || rules->empty()) {
    fail("rules", "must be a non-empty array of rules; leave it out for the default table");
  }
  for (size_t i = 0; i < rules->size(); ++i) rules_.push_back(parse_rule((*rules)[i], i));
}

PolicyDecision ScopeRules::decide(const Request& request) const {
  return decide_for(request.method(), request.path());
}

PolicyDecision ScopeRules::decide_for(std::string_view method, std::string_view path) const {
  for (const Rule& rule : rules_) {
    if (!rule.matches(method, path)) continue;
    switch (rule.verdict) {
      case Verdict::allow_public:
        return PolicyDecision::allow_public(rule.reason);
      case Verdict::deny:
        return PolicyDecision::deny(rule.reason);
      case Verdict::require:
      case Verdict::abstain:
        break;
    }
    return PolicyDecision::require(rule.scopes, rule.reason);
  }
  return PolicyDecision::abstain();
}

}  // namespace fathom::scope_rules
