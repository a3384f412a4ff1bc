// The user's guide's forensic question, "what did token X do before it was revoked?", answered by
// GET /v1/audit?token_id=X after the revoke: every request X made before it, exactly as the
// proxy answered it, newest first; none after it; and who revoked it.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "integration/lifecycle/lifecycle_checks.h"
#include "support/http_client.h"
#include "support/token_api.h"

namespace fathom::test {
namespace {

using lifecycle::Events;
using lifecycle::text_of;

constexpr std::string_view kUserAgent = "lifecycle-forensics/1.0";

// What the client saw of one request: the audit must say the same.
struct Sent {
  std::string method;
  std::string path;  // without the query
  int status = 0;
  std::string request_id;  // the X-Request-Id the proxy answered with
};

Sent send(uint16_t port, const std::string& token, std::string method, std::string target,
          std::string_view body = "") {
  std::string headers = bearer(token) + "User-Agent: " + std::string(kUserAgent) + "\r\n";
  if (!body.empty()) headers += "Content-Type: application/json\r\n";
  Response r = fetch(port, method, target, headers, body);
  Sent s;
  s.method = std::move(method);
  s.path = target.substr(0, target.find('?'));
  s.status = r.status;
  s.request_id = r.header("X-Request-Id").value_or("");
  EXPECT_FALSE(s.request_id.empty()) << s.method << " " << target << ": no X-Request-Id";
  return s;
}

const nlohmann::json* find_by_request_id(const Events& events, const std::string& request_id) {
  for (const nlohmann::json& e : events) {
    if (text_of(e, "request_id") == request_id) return &e;
  }
  return nullptr;
}

TEST(LifecycleForensics, RevokedTokensRequestsBeforeTheRevokeAreListedNoneAfter) {
  TokenProxy p;
  TokenApi admin = p.admin();
  ApiReply me = admin.me();
  ASSERT_EQ(me.status, 200) << me.describe();
  const std::string admin_id = me.body["token_id"];

  ApiReply x = admin.mint("suspect", {"lake:read", "lake:write"});
  ASSERT_EQ(x.status, 201) << x.describe();
  const std::string x_token = x.body["token"];
  const std::string x_id = x.body["token_id"];
  ApiReply auditor_minted = admin.mint("auditor", {"audit:read"});
  ASSERT_EQ(auditor_minted.status, 201) << auditor_minted.describe();
  TokenApi auditor = p.as(auditor_minted.body["token"]);

  std::vector<Sent> before;
  before.push_back(send(p.port(), x_token, "GET", "/v1/stats"));
  before.push_back(send(p.port(), x_token, "POST", "/v1/items", R"({"title":"one"})"));
  before.push_back(send(p.port(), x_token, "GET", "/v1/items?owner=someone&page=2"));
  before.push_back(send(p.port(), x_token, "GET", "/status/418"));
  before.push_back(send(p.port(), x_token, "DELETE", "/v1/items/7"));
  for (const Sent& s : before) {
    ASSERT_NE(s.status, 401) << s.method << " " << s.path << ": the token did not work";
  }

  ApiReply revoked = admin.revoke(x_id);
  ASSERT_EQ(revoked.status, 200) << revoked.describe();

  std::vector<Sent> after;
  after.push_back(send(p.port(), x_token, "GET", "/v1/stats"));
  after.push_back(send(p.port(), x_token, "POST", "/v1/items", R"({"title":"two"})"));
  for (const Sent& s : after) {
    EXPECT_EQ(s.status, 401) << s.method << " " << s.path << " after the revoke";
  }

  // The refused requests must be on disk before "none after" means anything: they are recorded
  // (as auth.failed, without a token id) in the unfiltered trail.
  Events everything = lifecycle::poll_audit(auditor, "", [&](const Events& events) {
    return std::all_of(after.begin(), after.end(), [&](const Sent& s) {
      return find_by_request_id(events, s.request_id) != nullptr;
    });
  });
  for (const Sent& s : after) {
    const nlohmann::json* e = find_by_request_id(everything, s.request_id);
    ASSERT_NE(e, nullptr) << s.method << " " << s.path << " (after the revoke, request id "
                          << s.request_id << ") was not in the audit within "
                          << lifecycle::kDurableWithin.count() << " s";
    EXPECT_EQ(text_of(*e, "kind"), "auth.failed") << e->dump();
    EXPECT_EQ(text_of(*e, "token_id"), "") << "a refused credential is never looked up for the "
                                              "audit: "
                                           << e->dump();
    EXPECT_EQ((*e)["status"], 401) << e->dump();
  }

  Events events = lifecycle::poll_audit(auditor, "token_id=" + x_id, [&](const Events& found) {
    return std::all_of(before.begin(), before.end(), [&](const Sent& s) {
      return find_by_request_id(found, s.request_id) != nullptr;
    });
  });

  // Every request before the revoke, as the client saw it.
  for (const Sent& s : before) {
    SCOPED_TRACE(s.method + " " + s.path + " request id " + s.request_id);
    const nlohmann::json* e = find_by_request_id(events, s.request_id);
    ASSERT_NE(e, nullptr) << "a request X made before its revoke is missing from its audit";
    EXPECT_EQ(text_of(*e, "kind"), "request") << e->dump();
    EXPECT_EQ(text_of(*e, "token_id"), x_id) << e->dump();
    EXPECT_EQ(text_of(*e, "method"), s.method) << e->dump();
    EXPECT_EQ(text_of(*e, "path"), s.path)
        << "the path must be stored without its query: " << e->dump();
    EXPECT_EQ((*e)["status"], s.status) << e->dump();
    EXPECT_EQ(text_of(*e, "client"), "127.0.0.1") << e->dump();
    EXPECT_EQ(text_of(*e, "user_agent"), kUserAgent) << e->dump();
    EXPECT_EQ(text_of(*e, "actor_token_id"), "") << e->dump();
  }
  for (const nlohmann::json& e : events) {
    EXPECT_EQ(e.dump().find("owner="), std::string::npos)
        << "a query string was stored: " << e.dump();
    EXPECT_EQ(text_of(e, "token_id"), x_id) << "token_id=" << x_id << " returned " << e.dump();
  }

  // None of the refused requests is one of X's.
  for (const Sent& s : after) {
    EXPECT_EQ(find_by_request_id(events, s.request_id), nullptr)
        << s.method << " " << s.path << " after the revoke is listed as X's";
  }
  size_t x_requests = 0;
  for (const nlohmann::json& e : events) x_requests += text_of(e, "kind") == "request";
  EXPECT_EQ(x_requests, before.size()) << "X has request events it never made";

  // Newest first: the revoke, then X's requests in reverse order, then its creation.
  std::vector<std::string> kinds_and_ids;
  for (const nlohmann::json& e : events) {
    kinds_and_ids.push_back(text_of(e, "kind") + " " + text_of(e, "request_id"));
  }
  std::vector<std::string> expected{"token.revoked "};
  for (auto it = before.rbegin(); it != before.rend(); ++it) {
    expected.push_back("request " + it->request_id);
  }
  expected.push_back("token.created ");
  // Admin changes carry no request id of their own; compare kinds there.
  for (std::string& k : kinds_and_ids) {
    if (k.starts_with("token.")) k = k.substr(0, k.find(' ') + 1);
  }
  EXPECT_EQ(kinds_and_ids, expected);
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_GT(text_of(events[i - 1], "event_id"), text_of(events[i], "event_id"))
        << "not newest first at " << i;
    EXPECT_GE(lifecycle::parse_time(text_of(events[i - 1], "time")),
              lifecycle::parse_time(text_of(events[i], "time")))
        << "not newest first at " << i;
  }

  // Who revoked it, and who made it.
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(text_of(events.front(), "kind"), "token.revoked") << events.front().dump();
  EXPECT_EQ(text_of(events.front(), "actor_token_id"), admin_id) << events.front().dump();
  EXPECT_EQ(text_of(events.back(), "kind"), "token.created") << events.back().dump();
  EXPECT_EQ(text_of(events.back(), "actor_token_id"), admin_id) << events.back().dump();

  // The event ids are unique.
  std::set<std::string> ids;
  for (const nlohmann::json& e : events) ids.insert(text_of(e, "event_id"));
  EXPECT_EQ(ids.size(), events.size()) << "duplicate event ids";
}

TEST(LifecycleForensics, TheAuditNeedsAuditReadAndCountsAsARequest) {
  TokenProxy p;
  TokenApi admin = p.admin();
  ApiReply reader = admin.mint("reader", {"lake:read"});
  ASSERT_EQ(reader.status, 201) << reader.describe();
  Response refused =
      fetch(p.port(), "GET", "/v1/audit", bearer(reader.body["token"].get<std::string>()));
  EXPECT_EQ(refused.status, 403) << refused.status_line() << "\n" << refused.body;
  EXPECT_EQ(refused.json().value("error", ""), "insufficient_scope") << refused.body;
  EXPECT_EQ(refused.header("WWW-Authenticate").value_or("(none)"),
            R"(Bearer realm="fathom", error="insufficient_scope", scope="audit:read")");

  // The refused look is itself on the record, as a request of the reader.
  const std::string reader_id = reader.body["token_id"];
  const std::string request_id = refused.header("X-Request-Id").value_or("");
  Events events = lifecycle::poll_audit(admin, "token_id=" + reader_id, [&](const Events& found) {
    return lifecycle::has_event(found, "request", "request_id", request_id);
  });
  EXPECT_TRUE(lifecycle::has_event(events, "request", "request_id", request_id))
      << "the 403 on GET /v1/audit is not in the reader's audit";
}

}  // namespace
}  // namespace fathom::test
