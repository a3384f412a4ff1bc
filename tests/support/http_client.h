// A blocking HTTP/1.1 client for tests: raw bytes out, responses parsed with the project's own
// strict response parser (fathom_http), every wait bounded by poll() so that a daemon that hangs
// fails the test instead of hanging it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/message.h"

namespace fathom::test {

using std::chrono::milliseconds;
inline constexpr milliseconds kDefaultTimeout{10'000};

struct Response {
  http::Version version = http::Version::http11;
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  http::Framing framing = http::Framing::none;
  uint64_t content_length = 0;
  bool keep_alive = true;
  std::string body;  // filled by read_response, not by read_head

  // First header of that name (case-insensitive).
  std::optional<std::string> header(std::string_view name) const;
  size_t header_count(std::string_view name) const;
  // The body parsed as JSON; a JSON null if it is not JSON, so assertions fail readably.
  nlohmann::json json() const;
  std::string status_line() const;  // "HTTP/1.1 200 OK", for messages
};

// What wait_closed saw.
struct CloseCheck {
  bool closed = false;  // EOF or a reset arrived
  std::string extra;    // bytes that arrived before (a second response would show here)
};

class HttpConnection {
 public:
  // Connects to 127.0.0.1:port. Throws std::runtime_error on failure or timeout.
  static HttpConnection open(uint16_t port, milliseconds timeout = kDefaultTimeout);
  // Like open, but returns nullopt if the connection is refused (nothing listening) or reset
  // (a listener that was closing).
  static std::optional<HttpConnection> try_open(uint16_t port,
                                                milliseconds timeout = kDefaultTimeout);

  explicit HttpConnection(int fd);
  HttpConnection(HttpConnection&& other) noexcept;
  HttpConnection& operator=(HttpConnection&& other) noexcept;
  ~HttpConnection();

  int fd() const { return fd_; }

  // Sends every byte. Throws on error, or if the peer takes nothing for `timeout`.
  void send_all(std::string_view bytes, milliseconds timeout = kDefaultTimeout);
  // Sends what the peer takes; false if the peer closed or reset the connection first (a server
  // refusing a request may close before reading all of it, which is its right).
  bool send_tolerant(std::string_view bytes, milliseconds timeout = kDefaultTimeout);
  void shutdown_write();

  // Reads one response head (1xx included). `method` decides whether a body follows (HEAD).
  // Every read waits at most `timeout` for the next bytes. Throws on timeout, EOF or a head the
  // parser refuses.
  Response read_head(std::string_view method = "GET", milliseconds timeout = kDefaultTimeout);
  // Reads the body that `head` announces, passing payload to `sink` as it arrives (chunked
  // framing removed), without storing it. Throws on timeout or truncation.
  void read_body(const Response& head, const std::function<void(std::string_view)>& sink,
                 milliseconds timeout = kDefaultTimeout);
  // read_head + read_body into Response::body. Interim 1xx responses are returned as they are.
  Response read_response(std::string_view method = "GET", milliseconds timeout = kDefaultTimeout);
  // Reads until the peer closes; throws on timeout.
  std::string read_until_close(milliseconds timeout = kDefaultTimeout);
  // Waits for at least one byte and returns what is there: nullopt on timeout, "" on EOF.
  std::optional<std::string> read_some(milliseconds timeout = kDefaultTimeout);
  // Waits for the peer to close, collecting any bytes that come first.
  CloseCheck wait_closed(milliseconds timeout = kDefaultTimeout);
  // True if nothing has arrived and the connection is still open right now.
  bool quiet_and_open();

  // Bytes received but not yet consumed (e.g. WebSocket frames that came with the 101).
  std::string take_buffered();

 private:
  // Receives into the buffer; returns bytes read, 0 on EOF. Throws on timeout or error.
  size_t fill(milliseconds timeout);
  std::string_view unread() const { return {buf_.data() + begin_, end_ - begin_}; }
  void consume(size_t n);

  int fd_ = -1;
  std::vector<char> buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
};

// "METHOD path HTTP/1.1\r\nHost: localhost\r\n<headers>Content-Length: n\r\n\r\n<body>".
// `headers` is raw header lines, each ending in "\r\n". Content-Length is added only when `body`
// is not empty.
std::string request(std::string_view method, std::string_view path, std::string_view headers = "",
                    std::string_view body = "");

// One request on a fresh connection; the response with its body.
Response fetch(uint16_t port, std::string_view method, std::string_view path,
               std::string_view headers = "", std::string_view body = "",
               milliseconds timeout = kDefaultTimeout);

}  // namespace fathom::test
