#include "core/explain.h"

#include <nlohmann/json.hpp>

#include <optional>

#include "core/explain_query.h"

namespace fathom {
namespace {

using Json = nlohmann::json;

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::abstain:
      return "abstain";
    case Verdict::allow_public:
      return "public";
    case Verdict::require:
      return "require";
    case Verdict::deny:
      break;
  }
  return "deny";
}

// The request being explained: the method and path from the query, the caller's identity and
// nothing else (no headers: a policy that looks at headers sees none, as the answer says).
class ExplainedRequest final : public Request {
 public:
  ExplainedRequest(std::string_view method, std::string_view path, std::string_view client,
                   std::string_view request_id, const Identity& caller)
      : method_(method), path_(path), client_(client), request_id_(request_id), caller_(caller) {}
  std::string_view method() const override { return method_; }
  std::string_view path() const override { return path_; }
  std::string_view query() const override { return {}; }
  std::optional<std::string_view> header(std::string_view) const override { return std::nullopt; }
  std::string_view client_address() const override { return client_; }
  std::string_view request_id() const override { return request_id_; }
  const Identity* identity() const override { return &caller_; }

 private:
  std::string_view method_, path_, client_, request_id_;
  const Identity& caller_;
};

Response bad_request(std::string_view message) {
  Response r;
  r.status = 400;
  r.body = Json{{"error", "invalid_request"}, {"message", message}}.dump();
  return r;
}

void add_step(Explanation& out, const std::string& plugin, const char* role,
              const PolicyDecision& d) {
  ExplainStep step;
  step.plugin = plugin;
  step.role = role;
  step.verdict = d.verdict;
  step.scopes.assign(d.scopes.begin(), d.scopes.end());
  step.reason.assign(d.reason);
  out.steps.push_back(std::move(step));
}

}  // namespace

Explanation explain_access(const PluginSet& plugins, const Request& request,
                           const Identity& caller) {
  Explanation out;
  const auto& handlers = plugins.handlers();
  for (size_t i = 0; i < handlers.size(); ++i) {
    std::optional<PolicyDecision> claim = handlers[i]->claim(request);
    if (!claim) continue;
    add_step(out, plugins.handler_names()[i], "route handler", *claim);
    // As decide_access: a handler claiming a route must say what it needs; abstain is deny.
    if (claim->verdict == Verdict::abstain) out.steps.back().verdict = Verdict::deny;
    out.decided_by = static_cast<int>(out.steps.size() - 1);
    break;
  }
  if (out.decided_by < 0) {
    const auto& policies = plugins.policies();
    for (size_t i = 0; i < policies.size(); ++i) {
      PolicyDecision d = policies[i]->decide(request);
      add_step(out, plugins.policy_names()[i], "scope policy", d);
      if (d.verdict != Verdict::abstain) {
        out.decided_by = static_cast<int>(out.steps.size() - 1);
        break;
      }
    }
  }
  if (out.decided_by < 0) return out;  // nobody decided: deny
  const ExplainStep& decided = out.steps[static_cast<size_t>(out.decided_by)];
  out.verdict = decided.verdict;
  if (out.verdict == Verdict::allow_public) {
    out.allowed = true;
  } else if (out.verdict == Verdict::require) {
    for (const std::string& s : decided.scopes) {
      if (!caller.has_scope(s)) out.missing_scopes.push_back(s);
    }
    out.allowed = out.missing_scopes.empty();
  }
  return out;
}

Response explain_route(const PluginSet& plugins, std::string_view query, const Identity& caller,
                       std::string_view client, std::string_view request_id) {
  ExplainQueryParse parsed = parse_explain_query(query);
  if (!parsed.query) return bad_request(parsed.error);
  const std::string& method = parsed.query->method;
  const std::string& path = parsed.query->path;

  ExplainedRequest request(method, path, client, request_id, caller);
  Explanation e = explain_access(plugins, request, caller);

  Json steps = Json::array();
  for (const ExplainStep& s : e.steps) {
    steps.push_back({{"plugin", s.plugin},
                     {"role", s.role},
                     {"verdict", verdict_name(s.verdict)},
                     {"scopes", s.scopes},
                     {"reason", s.reason}});
  }
  Json body = {{"method", method},
               {"path", path},
               {"token_id", caller.token_id},
               {"verdict", verdict_name(e.verdict)},
               {"allowed", e.allowed},
               {"missing_scopes", e.missing_scopes},
               {"steps", steps}};
  if (e.decided_by >= 0) {
    const ExplainStep& d = e.steps[static_cast<size_t>(e.decided_by)];
    body["decided_by"] = d.plugin;
    body["scopes"] = d.scopes;
    body["reason"] = d.reason;
  } else {
    body["decided_by"] = nullptr;
    body["scopes"] = Json::array();
    body["reason"] = "no policy allows this request";
  }
  Response r;
  r.status = 200;
  r.body = body.dump();
  return r;
}

std::optional<PolicyDecision> ExplainHandler::claim(const Request& request) const {
  if (request.path() != kExplainPath) return std::nullopt;
  return PolicyDecision::require({&kExplainScope, 1}, "explain needs tokens:manage");
}

void ExplainHandler::handle(const Request& request, std::string_view,
                            std::shared_ptr<Responder> responder) {
  if (request.method() != "GET" && request.method() != "HEAD") {
    Response r;
    r.status = 405;
    r.body = Json{{"error", "method_not_allowed"}, {"message", "Use GET for this route."}}.dump();
    r.headers.emplace_back("Allow", "GET, HEAD");
    responder->respond(std::move(r));
    return;
  }
  // The daemon authenticated the caller before calling; no identity here is a daemon bug.
  static const Identity kNobody;
  const Identity* caller = request.identity();
  responder->respond(explain_route(plugins_, request.query(), caller ? *caller : kNobody,
                                   request.client_address(), request.request_id()));
}

}  // namespace fathom
