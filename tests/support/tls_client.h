// A blocking HTTPS/1.1 client for tests: OpenSSL over a socket whose every wait is bounded (a
// daemon that hangs fails the test instead of hanging it), verifying the server against a CA file
// the test made. Responses are parsed with the project's own strict response parser.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "support/http_client.h"

namespace fathom::test {

class TlsConnection {
 public:
  // Connects to 127.0.0.1:port and handshakes, expecting a certificate for `host` (also sent as
  // SNI) issued by the CA in `ca_file`. Throws std::runtime_error saying why it failed.
  static TlsConnection open(uint16_t port, const std::string& ca_file,
                            const std::string& host = "localhost",
                            milliseconds timeout = kDefaultTimeout);
  TlsConnection(TlsConnection&& other) noexcept;
  TlsConnection& operator=(TlsConnection&& other) noexcept;
  ~TlsConnection();

  // SHA-256 of the server's certificate (lowercase hex), as IssuedCert::fingerprint.
  std::string peer_fingerprint() const;
  std::string protocol() const;  // "TLSv1.3"
  std::string alpn() const;      // "http/1.1", or "" when none was agreed

  void send_all(std::string_view bytes);
  // One response with a Content-Length body (or none). Throws on timeout, EOF or bad framing.
  Response read_response(std::string_view method = "GET");

 private:
  TlsConnection(int fd, SSL_CTX* ctx, SSL* ssl, milliseconds timeout)
      : fd_(fd), ctx_(ctx), ssl_(ssl), timeout_(timeout) {}
  void reset();
  size_t fill();  // reads more into buf_; 0 at EOF

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  milliseconds timeout_;
  std::string buf_;
};

// One request on a fresh TLS connection; the response with its body.
Response fetch_tls(uint16_t port, const std::string& ca_file, std::string_view method,
                   std::string_view path, std::string_view headers = "");

}  // namespace fathom::test
