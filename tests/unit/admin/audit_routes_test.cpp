// Tests GET /v1/audit (admin/audit_routes.cpp, audit_requests.cpp, audit_json.cpp) against a real
// FileAuditLog: the event object, filters, paging with cursors, and refusals naming the parameter.

#include <gtest/gtest.h>

#include <future>
#include <set>
#include <string>
#include <vector>

#include "audit_requests.h"
#include "route_harness.h"

namespace fathom::admin::testing {
namespace {

class AdminAuditRouteTest : public RouteHarness {
 protected:
  // A request event as the daemon records it, made durable before the test queries.
  void request_event(const std::string& token_id, UnixTime time, const std::string& path) {
    AuditEvent e;
    e.time = time;
    e.kind = "request";
    e.token_id = token_id;
    e.method = "GET";
    e.path = path;
    e.status = 200;
    e.client = "127.0.0.1";
    e.request_id = "r";
    std::promise<bool> done;
    audit_->record_durable(e, [&](bool ok) { done.set_value(ok); });
    ASSERT_TRUE(done.get_future().get());
  }
  Answer audit(const std::string& query) { return call(bootstrap_, "GET", "/v1/audit", "", query); }
};

TEST_F(AdminAuditRouteTest, EventsAreNewestFirstWithEveryField) {
  const Json minted = mint(R"({"name": "a", "scopes": ["lake:read"]})");
  request_event(minted["token_id"], kStart + 5, "/v1/stats");
  Answer a = audit("");
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  ASSERT_EQ(a.body.size(), 2u);
  EXPECT_TRUE(a.body["next_cursor"].is_null());
  ASSERT_EQ(a.body["events"].size(), 2u);
  const Json& req = a.body["events"][0];
  EXPECT_TRUE(req["event_id"].get<std::string>().starts_with("evt_"));
  EXPECT_EQ(req["time"], "2027-01-15T08:00:05Z");
  EXPECT_EQ(req["kind"], "request");
  EXPECT_EQ(req["token_id"], minted["token_id"]);
  EXPECT_TRUE(req["actor_token_id"].is_null());
  EXPECT_EQ(req["method"], "GET");
  EXPECT_EQ(req["path"], "/v1/stats");
  EXPECT_EQ(req["status"], 200);
  EXPECT_EQ(req["client"], "127.0.0.1");
  EXPECT_TRUE(req["user_agent"].is_null());
  EXPECT_EQ(req["request_id"], "r");
  EXPECT_TRUE(req["client_request_id"].is_null());
  EXPECT_EQ(req.size(), 12u) << "no pair_code_id or detail when the event has none";
  const Json& created = a.body["events"][1];
  EXPECT_EQ(created["kind"], "token.created");
  EXPECT_EQ(created["actor_token_id"], bootstrap_.token_id);
  EXPECT_EQ(created["detail"], "scopes lake:read");
  EXPECT_EQ(created.size(), 13u);
}

TEST_F(AdminAuditRouteTest, FiltersByTokenAndTime) {
  request_event("tok_aaaaaaaaaaaaaaaa", kStart, "/a0");
  request_event("tok_bbbbbbbbbbbbbbbb", kStart + 10, "/b10");
  request_event("tok_aaaaaaaaaaaaaaaa", kStart + 20, "/a20");
  request_event("tok_aaaaaaaaaaaaaaaa", kStart + 30, "/a30");
  const auto paths = [&](const std::string& query) {
    Answer a = audit(query);
    EXPECT_EQ(a.response.status, 200) << a.response.body;
    std::vector<std::string> out;
    for (const Json& e : a.body["events"]) out.push_back(e["path"]);
    return out;
  };
  EXPECT_EQ(paths("token_id=tok_aaaaaaaaaaaaaaaa"),
            (std::vector<std::string>{"/a30", "/a20", "/a0"}));
  // since inclusive, until exclusive; a percent-encoded and an offset time read alike.
  EXPECT_EQ(paths("since=2027-01-15T08%3A00%3A10Z&until=2027-01-15T08:00:30Z"),
            (std::vector<std::string>{"/a20", "/b10"}));
  EXPECT_EQ(paths("token_id=tok_aaaaaaaaaaaaaaaa&since=2027-01-15T09:00:10+01:00"),
            (std::vector<std::string>{"/a30", "/a20"}));
}

TEST_F(AdminAuditRouteTest, CursorsPageThroughEveryEventOnce) {
  for (int i = 0; i < 25; ++i)
    request_event("tok_pppppppppppppppp", kStart + i, "/" + std::to_string(i));
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    Answer a = audit("token_id=tok_pppppppppppppppp&limit=10" +
                     (cursor.empty() ? std::string() : "&cursor=" + cursor));
    ASSERT_EQ(a.response.status, 200) << a.response.body;
    EXPECT_LE(a.body["events"].size(), 10u);
    for (const Json& e : a.body["events"]) seen.push_back(e["path"]);
    cursor = a.body["next_cursor"].is_null() ? "" : a.body["next_cursor"].get<std::string>();
    ASSERT_LT(++pages, 10);
  } while (!cursor.empty());
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 25u);
  EXPECT_EQ(seen.front(), "/24");
  EXPECT_EQ(seen.back(), "/0");
  EXPECT_EQ(audit("").body["events"].size(), 25u) << "the default limit is 100";
}

TEST_F(AdminAuditRouteTest, BadParametersAre400NamingThem) {
  struct Case {
    const char* query;
    const char* field;
  };
  for (const Case& c :
       {Case{"limit=0", "limit: "}, Case{"limit=1001", "limit: "}, Case{"limit=ten", "limit: "},
        Case{"limit=", "limit: "}, Case{"since=yesterday", "since: "},
        Case{"until=2027-02-30T00:00:00Z", "until: "}, Case{"token_id=fth_secret", "token_id: "},
        Case{"token_id=", "token_id: "}, Case{"cursor=", "cursor: "},
        Case{"cursor=%zz", "cursor: "}, Case{"limit=5&limit=6", "limit: "},
        Case{"kind=request", "kind: "},
        Case{"since=2027-01-15T08:00:10Z&until=2027-01-15T08:00:10Z", "until: "}}) {
    Answer a = audit(c.query);
    expect_error(a, 400, "invalid_request");
    EXPECT_TRUE(a.body["message"].get<std::string>().starts_with(c.field))
        << c.query << ": " << a.response.body;
  }
  EXPECT_EQ(audit("token_id=fth_secret").response.body.find("fth_secret"), std::string::npos);
}

TEST_F(AdminAuditRouteTest, AForeignCursorIs400) {
  Answer a = audit("cursor=not-a-cursor-of-ours");
  expect_error(a, 400, "invalid_request");
  EXPECT_TRUE(a.body["message"].get<std::string>().starts_with("cursor: ")) << a.response.body;
}

TEST_F(AdminAuditRouteTest, MethodsSubPathsAndIdentity) {
  Answer a = call(bootstrap_, "POST", "/v1/audit");
  expect_error(a, 405, "method_not_allowed");
  EXPECT_EQ(a.header("Allow"), "GET, HEAD");
  EXPECT_EQ(call(bootstrap_, "HEAD", "/v1/audit").response.status, 200);
  expect_error(call(bootstrap_, "GET", "/v1/audit/x"), 404, "not_found");
  expect_error(call(nullptr, "GET", "/v1/audit"), 401, "invalid_token");
}

TEST(AdminAuditQuery, DefaultsAndValues) {
  Parsed<AuditQuery> q = parse_audit_query("");
  ASSERT_TRUE(q.ok()) << q.error;
  EXPECT_EQ(q.value.limit, 100u);
  EXPECT_TRUE(q.value.token_id.empty());
  EXPECT_FALSE(q.value.since);
  q = parse_audit_query("limit=1000&cursor=a%2Bb+c&&until=2027-01-15T08:00:00Z");
  ASSERT_TRUE(q.ok()) << q.error;
  EXPECT_EQ(q.value.limit, 1000u);
  EXPECT_EQ(q.value.cursor, "a+b+c");
  EXPECT_EQ(q.value.until, kStart);
}

}  // namespace
}  // namespace fathom::admin::testing
