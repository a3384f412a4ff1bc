// Revocation takes effect at once, even for a token in heavy use: 50 clients on keep-alive
// connections, and a server-sent event stream and a WebSocket tunnel opened with the token, which
// must not outlive it.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "integration/tokens/token_checks.h"
#include "support/token_api.h"
#include "support/websocket_client.h"

namespace fathom::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct Sample {
  Clock::time_point sent;  // taken just before the request's first byte was written
  int status;              // 0: the connection failed before an answer
};

// One client: requests /v1/stats with `token` on a keep-alive connection until told to stop,
// reconnecting whenever the daemon closes the connection (it does after a revoke).
void hammer(uint16_t port, const std::string& token, const std::atomic<bool>& stop,
            std::vector<Sample>& samples) {
  const std::string bytes = request("GET", "/v1/stats", bearer(token));
  std::optional<HttpConnection> conn;
  while (!stop.load()) {
    Sample s{Clock::now(), 0};
    try {
      if (!conn) conn = HttpConnection::open(port);
      s.sent = Clock::now();
      conn->send_all(bytes);
      Response r = conn->read_response("GET");
      s.status = r.status;
      if (!r.keep_alive) conn.reset();
    } catch (const std::exception&) {
      conn.reset();  // closed between requests: not an answer either way
    }
    samples.push_back(s);
  }
}

TEST(TokensRevocation, RevokedWhileFiftyClientsUseItEveryLaterRequestIs401) {
  constexpr int kClients = 50;
  TokenProxy p([](nlohmann::json& config) {
    // Two workers: the revoke is handled on one, and the other's cached "valid" must not
    // survive it either.
    config["workers"] = 2;
  });
  TokenApi admin = p.admin();
  ApiReply minted = admin.mint("busy", {"lake:read"});
  ASSERT_EQ(minted.status, 201) << minted.describe();
  const std::string token = minted.body["token"];
  const std::string id = minted.body["token_id"];

  // The stream and the tunnel, opened with the token before the revoke.
  HttpConnection sse = HttpConnection::open(p.port());
  sse.send_all(request("GET", "/sse?events=100&interval_ms=100", bearer(token)));
  Response sse_head = sse.read_head("GET");
  ASSERT_EQ(sse_head.status, 200);
  ASSERT_NE(sse.read_some(seconds(5)).value_or(""), "") << "no first event";

  HttpConnection ws = HttpConnection::open(p.port());
  ws.send_all(request("GET", "/ws",
                      bearer(token) +
                          "Connection: Upgrade\r\nUpgrade: websocket\r\n"
                          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " +
                          ws::new_key() + "\r\n"));
  Response ws_head = ws.read_head("GET");
  ASSERT_EQ(ws_head.status, 101);

  std::atomic<bool> stop{false};
  std::vector<std::vector<Sample>> samples(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back(hammer, p.port(), std::cref(token), std::cref(stop), std::ref(samples[i]));
  }
  std::this_thread::sleep_for(milliseconds(700));  // every client is in full swing

  ApiReply revoked = admin.revoke(id);
  const Clock::time_point revoke_acked = Clock::now();
  ASSERT_EQ(revoked.status, 200) << revoked.describe();

  std::this_thread::sleep_for(milliseconds(700));
  stop = true;
  for (std::thread& t : clients) t.join();

  size_t before_ok = 0;
  size_t after = 0;
  size_t after_ok = 0;
  std::map<int, size_t> after_statuses;
  for (const std::vector<Sample>& list : samples) {
    for (const Sample& s : list) {
      if (s.sent <= revoke_acked) {
        before_ok += s.status == 200;
        continue;
      }
      if (s.status == 0) continue;
      ++after;
      ++after_statuses[s.status];
      after_ok += s.status == 200;
    }
  }
  RecordProperty("requests_before_revoke_ok", static_cast<int>(before_ok));
  RecordProperty("requests_after_revoke", static_cast<int>(after));
  EXPECT_GT(before_ok, 0u) << "the token never worked: the test proves nothing";
  EXPECT_GT(after, 0u) << "no request was sent after the revoke: the test proves nothing";
  EXPECT_EQ(after_ok, 0u) << after_ok << " of " << after
                          << " requests sent after the revoke's 200 arrived were let through";
  EXPECT_EQ(after_statuses[401], after) << "requests after the revoke must all be 401";

  // The stream stops long before its natural end (100 events, 10 s), and the tunnel closes.
  CloseCheck sse_end = sse.wait_closed(seconds(8));
  EXPECT_TRUE(sse_end.closed) << "the event stream of a revoked token is still open";
  EXPECT_EQ(sse_end.extra.find("id: 99\n"), std::string::npos)
      << "the stream ran to its end: it was not closed at the revoke";
  CloseCheck ws_end = ws.wait_closed(seconds(8));
  EXPECT_TRUE(ws_end.closed) << "the WebSocket tunnel of a revoked token is still open";
}

TEST(TokensRevocation, OtherTokensStreamsSurviveARevoke) {
  TokenProxy p;
  TokenApi admin = p.admin();
  ApiReply doomed = admin.mint("doomed", {"lake:read"});
  ApiReply kept = admin.mint("kept", {"lake:read"});
  ASSERT_EQ(doomed.status, 201) << doomed.describe();
  ASSERT_EQ(kept.status, 201) << kept.describe();

  HttpConnection sse = HttpConnection::open(p.port());
  sse.send_all(request("GET", "/sse?events=15&interval_ms=100",
                       bearer(kept.body["token"].get<std::string>())));
  Response head = sse.read_head("GET");
  ASSERT_EQ(head.status, 200);
  ASSERT_EQ(admin.revoke(doomed.body["token_id"].get<std::string>()).status, 200);
  // The kept token's stream runs to its last event.
  std::string events;
  sse.read_body(
      head, [&](std::string_view data) { events.append(data); }, seconds(10));
  EXPECT_NE(events.find("id: 14\n"), std::string::npos) << events;
}

}  // namespace
}  // namespace fathom::test
