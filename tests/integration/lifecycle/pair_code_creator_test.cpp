// A pair code is worth no more than its creator (API.md "Scopes"): revoking the creator cancels
// its pending codes in the same store write (with a pair_code.cancelled event each), and a code
// whose creator is no longer active is refused at redemption, as an unknown code is. The same
// on the file store and on Redis.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "integration/lifecycle/lifecycle_checks.h"
#include "support/redis_fleet.h"
#include "support/redis_server.h"
#include "support/token_api.h"

namespace fathom::test {
namespace {

using lifecycle::expect_invalid_grant;
using lifecycle::text_of;

// The daemon on the file store (no Redis), or on Redis.
struct Backend {
  std::unique_ptr<RedisServer> redis;
  std::unique_ptr<TokenProxy> p;

  explicit Backend(bool on_redis) {
    if (on_redis) redis = std::make_unique<RedisServer>();
    p = std::make_unique<TokenProxy>([this](nlohmann::json& config) {
      if (redis) config["store"] = redis_token_config(0, *redis)["store"];
    });
  }
};

class LifecyclePairCodeCreator : public ::testing::TestWithParam<bool> {};

TEST_P(LifecyclePairCodeCreator, ARevokedCreatorsCodesAreCancelledAndRefused) {
  Backend b(GetParam());
  TokenProxy& p = *b.p;
  TokenApi admin = p.admin();
  ApiReply manager = admin.mint("manager", {"tokens:manage", "lake:read"});
  ASSERT_EQ(manager.status, 201) << manager.describe();
  const std::string manager_id = manager.body["token_id"];
  TokenApi m = p.as(manager.body["token"].get<std::string>());
  ApiReply made = lifecycle::create_pair_code(m, "agent", {"lake:read"});
  ASSERT_EQ(made.status, 201) << made.describe();
  const std::string code_id = text_of(made.body, "pair_code_id");
  ApiReply own = lifecycle::create_pair_code(admin, "admins-agent", {"lake:read"});
  ASSERT_EQ(own.status, 201) << own.describe();

  ASSERT_EQ(admin.revoke(manager_id).status, 200);
  expect_invalid_grant(lifecycle::redeem(p.port(), text_of(made.body, "code")),
                       "a code whose creator was revoked");
  // The audit says why; the admin's own code is untouched.
  lifecycle::Events events =
      lifecycle::poll_audit(admin, "token_id=" + manager_id, [&](const lifecycle::Events& e) {
        return lifecycle::has_event(e, "pair_code.cancelled", "pair_code_id", code_id);
      });
  EXPECT_TRUE(lifecycle::has_event(events, "pair_code.cancelled", "pair_code_id", code_id))
      << nlohmann::json(events).dump();
  ApiReply listed = admin.call("GET", "/v1/pair-codes");
  ASSERT_EQ(listed.status, 200) << listed.describe();
  EXPECT_EQ(lifecycle::pending_code_ids(listed),
            std::set<std::string>{text_of(own.body, "pair_code_id")})
      << listed.describe();
  EXPECT_EQ(lifecycle::redeem(p.port(), text_of(own.body, "code")).status, 201);
}

TEST_P(LifecyclePairCodeCreator, ACodeWhoseCreatorExpiredIsRefusedAtRedemption) {
  Backend b(GetParam());
  TokenProxy& p = *b.p;
  // Expired by time alone, with no write to cancel its codes: the redemption checks.
  ApiReply brief = p.admin().mint("brief", {"tokens:manage", "lake:read"}, {{"expires_in", 2}});
  ASSERT_EQ(brief.status, 201) << brief.describe();
  ApiReply made =
      lifecycle::create_pair_code(p.as(brief.body["token"].get<std::string>()), "a", {"lake:read"});
  ASSERT_EQ(made.status, 201) << made.describe();
  std::this_thread::sleep_for(std::chrono::milliseconds(3200));
  expect_invalid_grant(lifecycle::redeem(p.port(), text_of(made.body, "code")),
                       "a code whose creator expired");
}

INSTANTIATE_TEST_SUITE_P(Stores, LifecyclePairCodeCreator, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return std::string(param.param ? "Redis" : "File");
                         });

}  // namespace
}  // namespace fathom::test
