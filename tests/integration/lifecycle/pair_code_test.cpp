// Pair codes: one code redeemed by 20 clients at the same moment yields exactly one token, which
// carries the code's name and scopes and its creator; used, cancelled, unknown and expired codes
// are 400 invalid_grant; the list shows pending codes only and never a code; wrong codes count
// toward the per-address failure limit.

#include <gtest/gtest.h>

#include <chrono>
#include <latch>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "integration/lifecycle/lifecycle_checks.h"
#include "support/http_client.h"
#include "support/token_api.h"

namespace fathom::test {
namespace {

using lifecycle::expect_invalid_grant;
using lifecycle::text_of;
using std::chrono::seconds;

// An admin that is not the bootstrap one, so that created_by proves whose code it was.
struct Pairing {
  TokenProxy p;
  std::optional<TokenApi> creator;
  std::string creator_id;

  explicit Pairing(const std::function<void(nlohmann::json&)>& adjust = {}) : p(adjust) {
    ApiReply minted = p.admin().mint("pairing-admin", {"tokens:manage", "lake:read", "lake:write"});
    if (minted.status != 201) {
      ADD_FAILURE() << "mint: " << minted.describe();
      return;
    }
    creator_id = minted.body["token_id"];
    creator.emplace(p.port(), minted.body["token"].get<std::string>());
  }
};

// Creates a code and checks the 201's shape.
nlohmann::json new_code(const TokenApi& api, std::string_view name,
                        const std::vector<std::string>& scopes,
                        const nlohmann::json& extra = nlohmann::json::object()) {
  ApiReply r = lifecycle::create_pair_code(api, name, scopes, extra);
  EXPECT_EQ(r.status, 201) << r.describe();
  const std::string code = text_of(r.body, "code");
  EXPECT_TRUE(code.starts_with("pair_") && code.size() == 29) << "not a pair code: " << code;
  EXPECT_TRUE(text_of(r.body, "pair_code_id").size() > 0) << r.describe();
  EXPECT_EQ(text_of(r.body, "name"), name) << r.describe();
  EXPECT_EQ(r.body.value("scopes", nlohmann::json()), nlohmann::json(scopes)) << r.describe();
  EXPECT_NO_THROW(lifecycle::parse_time(text_of(r.body, "expires_at"))) << r.describe();
  return r.body;
}

TEST(LifecyclePairCodes, TwentyClientsRedeemOneCodeAtOnceExactlyOneGetsAToken) {
  constexpr int kClients = 20;
  Pairing s;
  ASSERT_TRUE(s.creator.has_value());
  const nlohmann::json code = new_code(*s.creator, "agent-laptop", {"lake:read", "lake:write"});
  ASSERT_FALSE(HasFailure());

  // Every client connects first, then all send at the same moment.
  const std::string bytes = request("POST", "/v1/pair", "Content-Type: application/json\r\n",
                                    nlohmann::json({{"code", code["code"]}}).dump());
  std::vector<HttpConnection> conns;
  for (int i = 0; i < kClients; ++i) conns.push_back(HttpConnection::open(s.p.port()));
  std::latch go(kClients);
  std::vector<Response> answers(kClients);
  std::vector<std::string> failures(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      go.arrive_and_wait();
      try {
        conns[i].send_all(bytes);
        answers[i] = conns[i].read_response("POST");
      } catch (const std::exception& e) {
        failures[i] = e.what();
      }
    });
  }
  for (std::thread& t : clients) t.join();

  std::map<int, int> statuses;
  std::vector<nlohmann::json> minted;
  for (int i = 0; i < kClients; ++i) {
    ASSERT_TRUE(failures[i].empty()) << "client " << i << ": " << failures[i];
    const Response& r = answers[i];
    ++statuses[r.status];
    if (r.status == 201) {
      minted.push_back(r.json());
    } else {
      EXPECT_EQ(r.status, 400) << "client " << i << ": " << r.status_line() << "\n" << r.body;
      EXPECT_EQ(r.json().value("error", ""), "invalid_grant") << "client " << i << ": " << r.body;
    }
  }
  ASSERT_EQ(minted.size(), 1u) << "201s: " << statuses[201] << ", 400s: " << statuses[400];
  EXPECT_EQ(statuses[400], kClients - 1);

  const nlohmann::json& token = minted.front();
  EXPECT_EQ(text_of(token, "name"), "agent-laptop") << token.dump();
  EXPECT_EQ(token["scopes"], nlohmann::json({"lake:read", "lake:write"})) << token.dump();
  EXPECT_EQ(text_of(token, "created_by"), s.creator_id) << token.dump();
  EXPECT_EQ(text_of(token, "status"), "active") << token.dump();
  const std::string secret = text_of(token, "token");
  ASSERT_TRUE(secret.starts_with("fth_")) << token.dump();

  // The token works through the proxy, and the store agrees about it.
  Response stats = fetch(s.p.port(), "GET", "/v1/stats", bearer(secret));
  EXPECT_EQ(stats.status, 200) << stats.status_line() << "\n" << stats.body;
  ApiReply shown = s.creator->show(text_of(token, "token_id"));
  ASSERT_EQ(shown.status, 200) << shown.describe();
  EXPECT_EQ(text_of(shown.body, "created_by"), s.creator_id) << shown.describe();
  EXPECT_EQ(text_of(shown.body, "name"), "agent-laptop") << shown.describe();

  // Used now: again is invalid_grant, and the code is no longer pending.
  expect_invalid_grant(lifecycle::redeem(s.p.port(), text_of(code, "code")), "a used code");
  ApiReply list = s.creator->call("GET", "/v1/pair-codes");
  ASSERT_EQ(list.status, 200) << list.describe();
  EXPECT_EQ(lifecycle::pending_code_ids(list).count(text_of(code, "pair_code_id")), 0u)
      << "a used code is still listed: " << list.describe();
}

TEST(LifecyclePairCodes, CancelledUnknownAndMalformedCodesAreInvalidGrant) {
  Pairing s;
  ASSERT_TRUE(s.creator.has_value());
  const nlohmann::json kept = new_code(*s.creator, "kept", {"lake:read"});
  const nlohmann::json cancelled = new_code(*s.creator, "cancelled", {"lake:read"});
  ASSERT_FALSE(HasFailure());

  ApiReply listed = s.creator->call("GET", "/v1/pair-codes");
  ASSERT_EQ(listed.status, 200) << listed.describe();
  EXPECT_EQ(lifecycle::pending_code_ids(listed),
            (std::set<std::string>{kept["pair_code_id"], cancelled["pair_code_id"]}))
      << listed.describe();

  ApiReply cancel =
      s.creator->call("DELETE", "/v1/pair-codes/" + text_of(cancelled, "pair_code_id"));
  EXPECT_EQ(cancel.status, 200) << cancel.describe();
  expect_invalid_grant(lifecycle::redeem(s.p.port(), text_of(cancelled, "code")),
                       "a cancelled code");

  // Well-formed but never issued, and not a pair code at all: both invalid_grant.
  expect_invalid_grant(lifecycle::redeem(s.p.port(), "pair_" + std::string(24, 'Q')),
                       "an unknown code");
  expect_invalid_grant(lifecycle::redeem(s.p.port(), "pair_short"), "a malformed code");
  expect_invalid_grant(lifecycle::redeem(s.p.port(), text_of(kept, "code") + "x"),
                       "a code with a character added");

  // Only the pending code is listed, with its name and scopes, and no code is ever shown.
  ApiReply list = s.creator->call("GET", "/v1/pair-codes");
  ASSERT_EQ(list.status, 200) << list.describe();
  EXPECT_EQ(lifecycle::pending_code_ids(list), std::set<std::string>{kept["pair_code_id"]})
      << list.describe();
  EXPECT_EQ(list.response.body.find(text_of(kept, "code")), std::string::npos)
      << "the list shows a pending code's secret: " << list.describe();
  EXPECT_FALSE(std::regex_search(list.response.body, std::regex("pair_[0-9A-Za-z]{24}")))
      << "the list holds something shaped like a code: " << list.describe();
  for (const nlohmann::json& p : list.body["pair_codes"]) {
    EXPECT_FALSE(p.contains("code")) << p.dump();
    EXPECT_EQ(text_of(p, "name"), "kept") << p.dump();
  }

  // The failed redeems did not use up the pending code.
  ApiReply redeemed = lifecycle::redeem(s.p.port(), text_of(kept, "code"));
  EXPECT_EQ(redeemed.status, 201) << redeemed.describe();
  EXPECT_EQ(text_of(redeemed.body, "created_by"), s.creator_id) << redeemed.describe();

  // Cancelling an unknown id is 404.
  ApiReply unknown = s.creator->call("DELETE", "/v1/pair-codes/pc_0000000000000000");
  EXPECT_EQ(unknown.status, 404) << unknown.describe();
  EXPECT_EQ(unknown.error(), "not_found") << unknown.describe();
}

TEST(LifecyclePairCodes, NoEscalationThroughAPairCode) {
  Pairing s;
  ASSERT_TRUE(s.creator.has_value());
  // The creator holds tokens:manage, lake:read and lake:write, not audit:read nor admin.
  ApiReply r = lifecycle::create_pair_code(*s.creator, "greedy", {"lake:read", "audit:read"});
  EXPECT_EQ(r.status, 403) << r.describe();
  EXPECT_EQ(r.error(), "insufficient_scope") << r.describe();
  ApiReply none = s.creator->call("GET", "/v1/pair-codes");
  EXPECT_TRUE(lifecycle::pending_code_ids(none).empty()) << none.describe();
}

TEST(LifecyclePairCodes, AnExpiredCodeIsInvalidGrant) {
  Pairing s;
  ASSERT_TRUE(s.creator.has_value());
  const nlohmann::json code =
      new_code(*s.creator, "slow-agent", {"lake:read"}, {{"ttl_seconds", 60}});
  ASSERT_FALSE(HasFailure());
  const time_t expires_at = lifecycle::parse_time(text_of(code, "expires_at"));
  const time_t now = std::time(nullptr);
  EXPECT_GE(expires_at, now + 55) << "a 60 s code expires at " << text_of(code, "expires_at");
  EXPECT_LE(expires_at, now + 61) << "a 60 s code expires at " << text_of(code, "expires_at");

  // The one real wait of these tests: the code's 60 s must pass.
  std::this_thread::sleep_for(seconds(61));
  expect_invalid_grant(lifecycle::redeem(s.p.port(), text_of(code, "code")), "an expired code");
  ApiReply list = s.creator->call("GET", "/v1/pair-codes");
  ASSERT_EQ(list.status, 200) << list.describe();
  EXPECT_TRUE(lifecycle::pending_code_ids(list).empty())
      << "an expired code is listed as pending: " << list.describe();
}

// A small burst for the limiter test, so that a few wrong codes spend it.
constexpr int kBurst = 3;

TEST(LifecyclePairCodes, WrongCodesCountTowardTheFailureLimit) {
  Pairing s([](nlohmann::json& config) {
    config["limits"] = {{"auth_failures_per_minute", 1}, {"auth_failure_burst", kBurst}};
  });
  ASSERT_TRUE(s.creator.has_value());
  const nlohmann::json code = new_code(*s.creator, "limited", {"lake:read"});
  ASSERT_FALSE(HasFailure());

  // Wrong codes until the limiter answers; it must, well before twice the burst.
  std::optional<ApiReply> limited;
  int wrong = 0;
  for (; wrong < 2 * kBurst + 2 && !limited; ++wrong) {
    ApiReply r = lifecycle::redeem(s.p.port(),
                                   "pair_" + std::string(23, 'W') + static_cast<char>('a' + wrong));
    if (r.status == 429) {
      limited = r;
    } else {
      expect_invalid_grant(r, "wrong code " + std::to_string(wrong));
    }
  }
  ASSERT_TRUE(limited.has_value()) << wrong << " wrong codes in a row were never limited";
  EXPECT_GE(wrong, kBurst) << "limited before the burst was spent";
  EXPECT_EQ(limited->error(), "rate_limited") << limited->describe();
  std::optional<std::string> retry_after = limited->response.header("Retry-After");
  ASSERT_TRUE(retry_after.has_value()) << "429 without Retry-After: " << limited->describe();
  EXPECT_GT(std::stoi(*retry_after), 0) << *retry_after;

  // The code was not spent by the refusals: the creator can still see it pending.
  ApiReply list = s.creator->call("GET", "/v1/pair-codes");
  ASSERT_EQ(list.status, 200) << list.describe();
  EXPECT_EQ(lifecycle::pending_code_ids(list).count(text_of(code, "pair_code_id")), 1u)
      << list.describe();
}

}  // namespace
}  // namespace fathom::test
