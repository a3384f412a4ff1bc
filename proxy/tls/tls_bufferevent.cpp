#include "tls/tls_bufferevent.h"

#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "tls/tls_context.h"

namespace fathom::tls {

namespace {

void free_ssl(SSL* ssl) {
  SSL_free(ssl);
}

}  // namespace

bufferevent* accept_bufferevent(event_base* base, evutil_socket_t fd, SSL_CTX* ctx) {
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr) {
    drain_errors();
    return nullptr;
  }
  bufferevent* bev = bufferevent_openssl_socket_new(base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                                    BEV_OPT_CLOSE_ON_FREE);
  // On failure libevent (2.1.9 and later) has freed the SSL already: BEV_OPT_CLOSE_ON_FREE.
  if (bev == nullptr) return nullptr;
  // Most clients close without a close_notify; that is the end of the connection, not an error.
  bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
  return bev;
}

bufferevent* connect_bufferevent(event_base* base, SSL_CTX* ctx, const std::string& host) {
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr) {
    drain_errors();
    return nullptr;
  }
  if (!expect_peer(ssl, host)) {
    drain_errors();
    free_ssl(ssl);
    return nullptr;
  }
  bufferevent* bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
                                                    BEV_OPT_CLOSE_ON_FREE);
  if (bev == nullptr) return nullptr;  // the SSL went with it, as above
  // An upstream that closes without close_notify after a complete response is common; the
  // response framing, not the TLS close, tells whether the body was whole.
  bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
  return bev;
}

bool is_tls(bufferevent* bev) {
  return bev != nullptr && bufferevent_openssl_get_ssl(bev) != nullptr;
}

SSL_CTX* context_of(bufferevent* bev) {
  SSL* ssl = bev != nullptr ? bufferevent_openssl_get_ssl(bev) : nullptr;
  return ssl != nullptr ? SSL_get_SSL_CTX(ssl) : nullptr;
}

std::string failure_reason(bufferevent* bev) {
  SSL* ssl = bev != nullptr ? bufferevent_openssl_get_ssl(bev) : nullptr;
  if (ssl == nullptr) return "";
  std::string out;
  while (unsigned long code = bufferevent_get_openssl_error(bev)) {
    // libevent also queues plain errno values here; OpenSSL has no text for those.
    const char* reason = ERR_reason_error_string(code);
    if (reason == nullptr) continue;
    if (!out.empty()) out += "; ";
    out += reason;
  }
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    out += (out.empty() ? "" : " (") + std::string(X509_verify_cert_error_string(verify)) +
           (out.empty() ? "" : ")");
  }
  return out;
}

}  // namespace fathom::tls
