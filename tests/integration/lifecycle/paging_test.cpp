// GET /v1/audit paging: following next_cursor page by page gives every event exactly once, newest
// first, the same events one big page gives; since and until cut the trail where they say; and
// bad parameters are 400 invalid_request naming the parameter.

#include <gtest/gtest.h>

#include <optional>
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

constexpr int kRequests = 250;

std::vector<std::string> ids_of(const Events& events) {
  std::vector<std::string> ids;
  for (const nlohmann::json& e : events) ids.push_back(text_of(e, "event_id"));
  return ids;
}

// `count` requests with `token` on keep-alive connections (reopened when the daemon closes one).
void make_requests(uint16_t port, const std::string& token, int count) {
  const std::string bytes = request("GET", "/v1/stats", bearer(token));
  std::optional<HttpConnection> conn;
  for (int i = 0; i < count; ++i) {
    if (!conn) conn = HttpConnection::open(port);
    conn->send_all(bytes);
    Response r = conn->read_response("GET");
    ASSERT_EQ(r.status, 200) << "request " << i << ": " << r.status_line() << "\n" << r.body;
    if (!r.keep_alive) conn.reset();
  }
}

// The busy token's trail: its creation and its requests. Filtering by token keeps the set fixed
// while the queries themselves (the auditor's requests) keep adding events to the trail.
struct Trail {
  TokenProxy p;
  std::optional<TokenApi> auditor;
  std::string busy_id;
  Events all;  // as one limit=1000 page gives them

  Trail() {
    TokenApi admin = p.admin();
    ApiReply busy = admin.mint("busy", {"lake:read"});
    ApiReply audit_reader = admin.mint("auditor", {"audit:read"});
    if (busy.status != 201 || audit_reader.status != 201) {
      ADD_FAILURE() << "mint: " << busy.describe() << " / " << audit_reader.describe();
      return;
    }
    busy_id = busy.body["token_id"];
    auditor.emplace(p.port(), audit_reader.body["token"].get<std::string>());
    make_requests(p.port(), busy.body["token"], kRequests);
    all = lifecycle::poll_audit(*auditor, "token_id=" + busy_id, [](const Events& events) {
      return events.size() >= kRequests + 1;
    });
    EXPECT_EQ(all.size(), static_cast<size_t>(kRequests + 1))
        << "the trail of a token that made " << kRequests << " requests (plus its creation) after "
        << lifecycle::kDurableWithin.count() << " s";
  }
};

TEST(LifecycleAuditPaging, SevenAtATimeGivesEveryEventOnceNewestFirst) {
  Trail t;
  ASSERT_FALSE(HasFailure());
  Events paged = lifecycle::all_pages(*t.auditor, "token_id=" + t.busy_id, 7);
  std::vector<std::string> paged_ids = ids_of(paged);

  std::set<std::string> unique(paged_ids.begin(), paged_ids.end());
  EXPECT_EQ(unique.size(), paged_ids.size()) << "an event came back on two pages";
  for (size_t i = 1; i < paged_ids.size(); ++i) {
    ASSERT_GT(paged_ids[i - 1], paged_ids[i]) << "event ids not strictly descending at " << i;
  }
  EXPECT_EQ(paged_ids, ids_of(t.all)) << "the pages of 7 differ from one page of 1000";
  EXPECT_EQ(paged.size(), static_cast<size_t>(kRequests + 1));
  for (size_t i = 0; i < paged.size() && i < t.all.size(); ++i) {
    ASSERT_EQ(paged[i], t.all[i]) << "the same event reads differently on a page of 7";
  }
}

TEST(LifecycleAuditPaging, PagesOfOneAndTheLastPartialPageEndWithANullCursor) {
  Trail t;
  ASSERT_FALSE(HasFailure());
  // 251 events in pages of 250: one full page, then a page of one whose cursor is null.
  ApiReply first = lifecycle::audit_page(*t.auditor, "token_id=" + t.busy_id + "&limit=250");
  ASSERT_EQ(first.status, 200) << first.describe();
  ASSERT_EQ(first.body["events"].size(), 250u);
  ASSERT_TRUE(first.body["next_cursor"].is_string()) << first.body["next_cursor"].dump();
  ApiReply last = lifecycle::audit_page(
      *t.auditor, "token_id=" + t.busy_id +
                      "&limit=250&cursor=" + first.body["next_cursor"].get<std::string>());
  ASSERT_EQ(last.status, 200) << last.describe();
  ASSERT_EQ(last.body["events"].size(), 1u) << last.describe();
  EXPECT_EQ(text_of(last.body["events"][0], "kind"), "token.created");
  EXPECT_TRUE(last.body["next_cursor"].is_null()) << last.body["next_cursor"].dump();

  // The default page is 100.
  ApiReply plain = lifecycle::audit_page(*t.auditor, "token_id=" + t.busy_id);
  ASSERT_EQ(plain.status, 200) << plain.describe();
  EXPECT_EQ(plain.body["events"].size(), 100u);

  // Pages of one, for the first few: each cursor moves exactly one event on.
  std::string cursor;
  for (size_t i = 0; i < 5; ++i) {
    std::string q = "token_id=" + t.busy_id + "&limit=1";
    if (!cursor.empty()) q += "&cursor=" + cursor;
    ApiReply page = lifecycle::audit_page(*t.auditor, q);
    ASSERT_EQ(page.status, 200) << page.describe();
    ASSERT_EQ(page.body["events"].size(), 1u) << page.describe();
    EXPECT_EQ(page.body["events"][0], t.all[i]) << "page " << i << " of one";
    cursor = page.body["next_cursor"].get<std::string>();
  }
}

TEST(LifecycleAuditPaging, SinceAndUntilCutTheTrailWhereTheySay) {
  Trail t;
  ASSERT_FALSE(HasFailure());
  // Whatever seconds the events fell in: for each of them, and one after the newest, `since` keeps
  // exactly the events at or after it and `until` exactly those before it.
  std::set<time_t> cuts;
  for (const nlohmann::json& e : t.all) cuts.insert(lifecycle::parse_time(text_of(e, "time")));
  ASSERT_FALSE(cuts.empty());
  cuts.insert(*cuts.rbegin() + 1);
  cuts.insert(*cuts.begin() - 3600);
  for (time_t cut : cuts) {
    const std::string at = lifecycle::format_time(cut);
    SCOPED_TRACE("cut at " + at);
    std::vector<std::string> want_since, want_until;
    for (const nlohmann::json& e : t.all) {
      (lifecycle::parse_time(text_of(e, "time")) >= cut ? want_since : want_until)
          .push_back(text_of(e, "event_id"));
    }
    Events since = lifecycle::all_pages(*t.auditor, "token_id=" + t.busy_id + "&since=" + at, 100);
    Events until = lifecycle::all_pages(*t.auditor, "token_id=" + t.busy_id + "&until=" + at, 100);
    EXPECT_EQ(ids_of(since), want_since) << "since (inclusive)";
    EXPECT_EQ(ids_of(until), want_until) << "until (exclusive)";
    // Both together: [cut, cut + 1 s), the events of that one second.
    std::vector<std::string> want_second;
    for (const nlohmann::json& e : t.all) {
      if (lifecycle::parse_time(text_of(e, "time")) == cut) {
        want_second.push_back(text_of(e, "event_id"));
      }
    }
    Events second = lifecycle::all_pages(
        *t.auditor,
        "token_id=" + t.busy_id + "&since=" + at + "&until=" + lifecycle::format_time(cut + 1), 9);
    EXPECT_EQ(ids_of(second), want_second) << "since and until together";
  }
}

TEST(LifecycleAuditPaging, BadParametersAre400NamingTheParameter) {
  TokenProxy p;
  TokenApi admin = p.admin();
  ASSERT_EQ(admin.me().status, 200);
  struct Case {
    std::string query;
    std::string names;
  };
  const std::vector<Case> cases{
      {"cursor=not-a-cursor", "cursor"},
      {"limit=0", "limit"},
      {"limit=1001", "limit"},
      {"limit=x", "limit"},
      {"limit=-1", "limit"},
      {"limit=", "limit"},
      {"since=yesterday", "since"},
      {"since=2026-13-01T00:00:00Z", "since"},
      {"until=1700000000", "until"},
      {"limit=5&limit=6", "limit"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("GET /v1/audit?" + c.query);
    ApiReply r = lifecycle::audit_page(admin, c.query);
    EXPECT_EQ(r.status, 400) << r.describe();
    EXPECT_EQ(r.error(), "invalid_request") << r.describe();
    EXPECT_NE(text_of(r.body, "message").find(c.names), std::string::npos)
        << "the message does not name \"" << c.names << "\": " << r.describe();
  }
}

}  // namespace
}  // namespace fathom::test
