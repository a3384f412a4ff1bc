// A WebSocket is tunnelled after authorization: the 101 comes from the lake, and frames of any
// size pass both ways untouched.

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "support/http_client.h"
#include "support/lake_echo.h"
#include "support/proxy_under_test.h"
#include "support/websocket_client.h"

namespace fathom::test {
namespace {

using std::chrono::seconds;

std::string text_payload(size_t size, char first) {
  std::string s(size, ' ');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>(first + i % 23);
  return s;
}

TEST(WebSocket, FramesOfEverySizeAreEchoedThroughTheTunnel) {
  ProxyUnderTest p;
  WebSocketClient ws = WebSocketClient::open(p.port(), "/ws");

  // Sizes on both sides of the 7-bit, 16-bit and 64-bit length encodings.
  for (size_t size : {size_t{0}, size_t{1}, size_t{125}, size_t{126}, size_t{1000}, size_t{65535},
                      size_t{65536}, size_t{70000}}) {
    SCOPED_TRACE("text frame of " + std::to_string(size) + " bytes");
    std::string payload = text_payload(size, 'A');
    ws.send_text(payload);
    ws::Frame echo = ws.receive(seconds(10));
    EXPECT_EQ(echo.opcode, ws::Opcode::text);
    EXPECT_TRUE(echo.fin);
    EXPECT_FALSE(echo.masked) << "a server must not mask its frames";
    EXPECT_EQ(echo.payload.size(), size);
    EXPECT_TRUE(echo.payload == payload) << "the payload changed on the way";
  }

  std::string binary(70000, '\0');
  std::mt19937 rng(7);
  for (char& c : binary) c = static_cast<char>(rng());
  ws.send(ws::Opcode::binary, binary);
  ws::Frame echo = ws.receive(seconds(10));
  EXPECT_EQ(echo.opcode, ws::Opcode::binary);
  EXPECT_TRUE(echo.payload == binary) << "the binary payload changed on the way";

  // Several frames in flight at once come back in order.
  for (char c : {'x', 'y', 'z'}) ws.send_text(text_payload(70000, c));
  for (char c : {'x', 'y', 'z'}) {
    ws::Frame f = ws.receive(seconds(10));
    EXPECT_TRUE(f.payload == text_payload(70000, c)) << "frame '" << c << "' changed";
  }

  ws.send(ws::Opcode::close, std::string("\x03\xe8", 2));  // 1000: normal closure
  ws::Frame close = ws.receive(seconds(10));
  EXPECT_EQ(close.opcode, ws::Opcode::close);
  EXPECT_TRUE(ws.connection().wait_closed(seconds(10)).closed)
      << "the tunnel stayed open after the close handshake";

  std::vector<nlohmann::json> heads = p.lake.recorded_heads();
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(heads[0]["path"], "/ws");
  EXPECT_EQ(echoed_header(heads[0], "Upgrade").value_or(""), "websocket")
      << "a tunnelled request keeps its Upgrade header";
}

TEST(WebSocket, UpgradeOnAProtectedRouteIsRefusedWithoutATunnel) {
  ProxyUnderTest p([](nlohmann::json& c) {
    c["plugins"] = nlohmann::json::array({{{"name", "scope-rules"}}});
  });
  HttpConnection conn = HttpConnection::open(p.port());
  conn.send_all(request("GET", "/ws",
                        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: " +
                            ws::new_key() + "\r\nSec-WebSocket-Version: 13\r\n"));
  Response r = conn.read_response("GET");
  EXPECT_EQ(r.status, 401) << r.status_line();
  EXPECT_EQ(p.lake.record_bytes(), 0u) << "the upgrade reached the lake without a token";
}

}  // namespace
}  // namespace fathom::test
