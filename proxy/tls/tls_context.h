// The OpenSSL contexts the daemon and the CLI use: one for the listeners (the certificate and
// key from tls.cert / tls.key) and one for the client side (upstream.url https://, the CLI's
// --url https://), which verifies the peer against a CA file or the system store. Both speak
// TLS 1.2 and 1.3 only.
//
// A context is immutable once built and shared by reference count: every SSL made from it holds
// a reference, so a connection opened before a reload keeps the context it started with while
// new connections take the new one.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace fathom::tls {

using ContextPtr = std::shared_ptr<SSL_CTX>;

// A context that could not be built. `key` names the setting that is at fault ("tls.cert",
// "tls.key", "upstream.ca_file", ...) so that callers can prefix it the way their messages
// name things; what() says what is wrong, never a byte of the key.
class TlsError : public std::runtime_error {
 public:
  TlsError(std::string key, const std::string& problem)
      : std::runtime_error(problem), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// The listener's context: the certificate chain (PEM, leaf first) and its private key (PEM).
// Throws TlsError naming tls.cert or tls.key: a file that cannot be read or parsed, or a key that
// does not belong to the certificate.
ContextPtr make_server_context(const std::string& cert_path, const std::string& key_path);

// A client context that verifies the peer's chain against `ca_file` (PEM, one or more
// certificates) or, when it is empty, the system's CA store. Throws TlsError naming `ca_key`
// when the file cannot be read or holds no certificate.
ContextPtr make_client_context(const std::string& ca_file, const std::string& ca_key);

// Prepares a client SSL for `host`: SNI (for a name; an IP address is never sent as SNI) and the
// name or address the certificate must carry. False if OpenSSL refused either.
bool expect_peer(SSL* ssl, const std::string& host);

// What OpenSSL's error queue says, in one line, and the queue emptied; "" when it is empty.
std::string drain_errors();

}  // namespace fathom::tls
