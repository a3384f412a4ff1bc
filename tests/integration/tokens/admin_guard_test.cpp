// The two guards on the admin routes: there is always at least one admin token, even when two
// admins revoke each other at the same moment, and no token grants a scope it does not hold.

#include <gtest/gtest.h>

#include <barrier>
#include <string>
#include <thread>

#include "integration/tokens/token_checks.h"
#include "support/token_api.h"

namespace fathom::test {
namespace {

using tokens::expect_insufficient_scope;

bool is_admin(const nlohmann::json& token) {
  for (const nlohmann::json& s : token["scopes"]) {
    if (s == "admin" || s == "tokens:manage") return true;
  }
  return false;
}

struct Admin {
  std::string id;
  std::string secret;
};

// Sends everything but the last byte of `DELETE /v1/tokens/{target}` with `who`'s token: the
// daemon can only act on it once the last byte arrives, so the two requests of a round are
// released within microseconds of each other.
HttpConnection primed_delete(uint16_t port, const Admin& who, const std::string& target,
                             std::string& last_byte) {
  std::string bytes = request("DELETE", "/v1/tokens/" + target, bearer(who.secret));
  last_byte = bytes.substr(bytes.size() - 1);
  HttpConnection conn = HttpConnection::open(port);
  conn.send_all(std::string_view(bytes).substr(0, bytes.size() - 1));
  return conn;
}

TEST(TokensLastAdmin, TwoAdminsRevokingEachOtherAtOnceLeaveExactlyOne) {
  constexpr int kRounds = 50;
  TokenProxy p;
  Admin survivor{"", p.admin_token};
  {
    ApiReply me = p.admin().me();
    ASSERT_EQ(me.status, 200) << me.describe();
    survivor.id = me.body["token_id"];
  }
  int conflicts = 0;
  int refused_as_revoked = 0;
  std::string rounds_401;  // which rounds, for the report (even rounds had the new admin cached)
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    TokenApi current = p.as(survivor.secret);
    ApiReply minted = current.mint("admin-" + std::to_string(round), {"admin"});
    ASSERT_EQ(minted.status, 201) << minted.describe();
    Admin other{minted.body["token_id"], minted.body["token"]};
    // Every other round the new admin is first used once, so that it is in the validation cache
    // when the race starts; otherwise its request needs a store lookup. Both orders must hold.
    if (round % 2 == 0) {
      ASSERT_EQ(p.as(other.secret).me().status, 200);
    }

    const Admin pair[2] = {survivor, other};
    std::string last[2];
    HttpConnection conns[2] = {primed_delete(p.port(), pair[0], pair[1].id, last[0]),
                               primed_delete(p.port(), pair[1], pair[0].id, last[1])};
    Response answers[2];
    std::barrier start(2);
    std::thread racers[2];
    for (int i = 0; i < 2; ++i) {
      racers[i] = std::thread([&, i] {
        start.arrive_and_wait();
        try {
          conns[i].send_all(last[i]);
          answers[i] = conns[i].read_response("DELETE");
        } catch (const std::exception& e) {
          answers[i].body = e.what();  // status stays 0: reported by the check below
        }
      });
    }
    for (std::thread& t : racers) t.join();

    const int ok = (answers[0].status == 200) + (answers[1].status == 200);
    ASSERT_EQ(ok, 1) << "answers: " << answers[0].status << " " << answers[0].body << " / "
                     << answers[1].status << " " << answers[1].body;
    const int winner = answers[0].status == 200 ? 0 : 1;
    const Response& loser = answers[1 - winner];
    // The loser's revoke must be refused as the last admin (409). A 401 is also right when the
    // daemon read the loser's request only after the winner's revoke of that very token was
    // done: its token is revoked by then.
    if (loser.status == 409) {
      ++conflicts;
      EXPECT_EQ(loser.json().value("error", ""), "conflict") << loser.body;
    } else {
      ++refused_as_revoked;
      rounds_401 += (rounds_401.empty() ? "" : " ") + std::to_string(round);
      EXPECT_EQ(loser.status, 401) << loser.status_line() << " " << loser.body;
    }
    survivor = pair[winner];

    ApiReply active = p.as(survivor.secret).list("active");
    ASSERT_EQ(active.status, 200) << "the survivor cannot list: " << active.describe();
    int admins = 0;
    for (const nlohmann::json& t : active.body["tokens"]) {
      if (is_admin(t)) {
        ++admins;
        EXPECT_EQ(t["token_id"], survivor.id) << "an admin other than the winner is active";
      }
    }
    ASSERT_EQ(admins, 1) << active.describe();
    tokens::expect_invalid_token(p.as(pair[1 - winner].secret).me().response, true);
  }
  EXPECT_GT(conflicts, 0) << "the last-admin conflict never came into play in " << kRounds
                          << " rounds: the race was not a race";
  RecordProperty("rounds_loser_409", conflicts);
  RecordProperty("rounds_loser_401", refused_as_revoked);
  RecordProperty("rounds_loser_401_list", rounds_401);
}

TEST(TokensEscalation, ManagerCannotGrantOrRotateScopesItLacks) {
  TokenProxy p;
  TokenApi admin = p.admin();
  ApiReply manager = admin.mint("manager", {"tokens:manage", "lake:read"});
  ASSERT_EQ(manager.status, 201) << manager.describe();
  TokenApi m = p.as(manager.body["token"]);

  expect_insufficient_scope(m.mint("w", {"lake:write"}).response, "lake:write");
  expect_insufficient_scope(m.mint("w", {"lake:read", "admin"}).response, "admin");
  expect_insufficient_scope(m.mint("w", {"audit:read"}).response, "audit:read");
  expect_insufficient_scope(m.mint("w", {"reports:export"}).response, "reports:export");
  // Neither through an expiry nor through a rotation.
  expect_insufficient_scope(m.mint("w", {"lake:write"}, {{"expires_in", 60}}).response,
                            "lake:write");

  ApiReply writer = admin.mint("writer", {"lake:read", "lake:write"});
  ASSERT_EQ(writer.status, 201) << writer.describe();
  const std::string writer_id = writer.body["token_id"];
  expect_insufficient_scope(m.rotate(writer_id).response, "lake:write");
  expect_insufficient_scope(m.rotate(writer_id, 0).response, "lake:write");
  ApiReply bootstrap = admin.me();
  expect_insufficient_scope(m.rotate(bootstrap.body["token_id"].get<std::string>()).response,
                            "admin");

  // Nothing happened: the writer was not rotated, and the only tokens are the three minted here
  // and the bootstrap one.
  ApiReply after = admin.show(writer_id);
  EXPECT_EQ(after.body["rotated_to"], nullptr) << after.describe();
  EXPECT_EQ(after.body["status"], "active");
  ApiReply all = admin.list("all");
  EXPECT_EQ(all.body["tokens"].size(), 3u) << all.describe();

  // What it holds it may grant, and rotate.
  ApiReply reader = m.mint("reader", {"lake:read"});
  ASSERT_EQ(reader.status, 201) << reader.describe();
  EXPECT_EQ(reader.body["created_by"], manager.body["token_id"]);
  EXPECT_EQ(m.rotate(reader.body["token_id"].get<std::string>()).status, 201);
  EXPECT_EQ(m.mint("peer", {"tokens:manage"}).status, 201);
}

}  // namespace
}  // namespace fathom::test
