#include "support/tls_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <utility>

#include "http/parser.h"

namespace fathom::test {

namespace {

std::string openssl_errors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out;
}

}  // namespace

TlsConnection TlsConnection::open(uint16_t port, const std::string& ca_file,
                                  const std::string& host, milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  // Blocking I/O with per-call deadlines: enough for a test, and no call waits forever.
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  TlsConnection c(fd, ctx, nullptr, timeout);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  static const unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx, kAlpn, sizeof kAlpn);
  if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
    throw std::runtime_error("cannot load " + ca_file + ": " + openssl_errors());
  }
  c.ssl_ = SSL_new(ctx);
  SSL_set_fd(c.ssl_, fd);
  SSL_set_tlsext_host_name(c.ssl_, host.c_str());
  SSL_set1_host(c.ssl_, host.c_str());
  if (SSL_connect(c.ssl_) != 1) {
    long verify = SSL_get_verify_result(c.ssl_);
    throw std::runtime_error(
        "TLS handshake with 127.0.0.1:" + std::to_string(port) + " failed: " + openssl_errors() +
        (verify != X509_V_OK ? std::string(" (") + X509_verify_cert_error_string(verify) + ")"
                             : ""));
  }
  return c;
}

TlsConnection::TlsConnection(TlsConnection&& other) noexcept {
  *this = std::move(other);
}

TlsConnection& TlsConnection::operator=(TlsConnection&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = std::exchange(other.fd_, -1);
    ctx_ = std::exchange(other.ctx_, nullptr);
    ssl_ = std::exchange(other.ssl_, nullptr);
    timeout_ = other.timeout_;
    buf_ = std::move(other.buf_);
  }
  return *this;
}

TlsConnection::~TlsConnection() {
  reset();
}

void TlsConnection::reset() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  if (fd_ >= 0) ::close(fd_);
  ssl_ = nullptr;
  ctx_ = nullptr;
  fd_ = -1;
}

std::string TlsConnection::peer_fingerprint() const {
  X509* cert = SSL_get1_peer_certificate(ssl_);
  if (cert == nullptr) return "";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md, &len);
  X509_free(cert);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

std::string TlsConnection::protocol() const {
  return SSL_get_version(ssl_);
}

std::string TlsConnection::alpn() const {
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(ssl_, &data, &len);
  return std::string(reinterpret_cast<const char*>(data), len);
}

void TlsConnection::send_all(std::string_view bytes) {
  while (!bytes.empty()) {
    int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    if (n <= 0) throw std::runtime_error("TLS write failed: " + openssl_errors());
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

size_t TlsConnection::fill() {
  char chunk[16384];
  int n = SSL_read(ssl_, chunk, sizeof chunk);
  if (n > 0) {
    buf_.append(chunk, static_cast<size_t>(n));
    return static_cast<size_t>(n);
  }
  if (SSL_get_error(ssl_, n) == SSL_ERROR_ZERO_RETURN) return 0;
  throw std::runtime_error("TLS read failed or timed out: " + openssl_errors());
}

Response TlsConnection::read_response(std::string_view method) {
  http::HeadLimits limits;
  http::ResponseHead head;
  http::ParseResult r;
  for (;;) {
    r = http::parse_response_head(buf_, limits, method, head);
    if (r.status == http::ParseStatus::refused) throw std::runtime_error("not an HTTP response");
    if (r.status == http::ParseStatus::done) break;
    if (fill() == 0) throw std::runtime_error("the connection closed before a response");
  }
  Response out;
  out.version = head.version;
  out.status = head.status;
  out.reason = std::string(head.reason);
  for (const http::Header& h : head.headers) out.headers.emplace_back(h.name, h.value);
  out.framing = head.framing;
  out.content_length = head.content_length;
  out.keep_alive = head.keep_alive;
  buf_.erase(0, r.consumed);
  if (head.framing == http::Framing::content_length) {
    while (buf_.size() < head.content_length) {
      if (fill() == 0) throw std::runtime_error("the connection closed inside a body");
    }
    out.body = buf_.substr(0, head.content_length);
    buf_.erase(0, head.content_length);
  } else if (head.framing != http::Framing::none) {
    throw std::runtime_error("TlsConnection reads Content-Length bodies only");
  }
  return out;
}

Response fetch_tls(uint16_t port, const std::string& ca_file, std::string_view method,
                   std::string_view path, std::string_view headers) {
  TlsConnection c = TlsConnection::open(port, ca_file);
  c.send_all(request(method, path, headers));
  return c.read_response(method);
}

}  // namespace fathom::test
