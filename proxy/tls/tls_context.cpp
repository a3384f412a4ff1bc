#include "tls/tls_context.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace fathom::tls {

namespace {

// TLS 1.2 suites with forward secrecy and AEAD only; TLS 1.3 keeps OpenSSL's defaults, which
// are all of that already.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// ALPN in wire format: one length byte, then the protocol name.
constexpr unsigned char kAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

ContextPtr new_context(const SSL_METHOD* method) {
  ContextPtr ctx(SSL_CTX_new(method), SSL_CTX_free);
  if (!ctx) throw TlsError("tls", "cannot create a TLS context: " + drain_errors());
  if (SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx.get(), kTls12Ciphers) != 1) {
    throw TlsError("tls", "cannot restrict the TLS versions and ciphers: " + drain_errors());
  }
  // Renegotiation is a TLS 1.2 feature with a history of attacks and no use here. Most HTTP
  // peers close without a close_notify; OpenSSL 3 calls that an error, which libevent 2.1 would
  // report as one instead of as the end of the stream. HTTP's own framing (Content-Length,
  // chunks) is what tells a whole message from a truncated one. Decrypted records are wiped once
  // handed over: they hold bearer tokens, which must not linger in OpenSSL's buffers.
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
                                     SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_CLEANSE_PLAINTEXT);
  return ctx;
}

// OpenSSL's own message for a missing file is "system library", which says nothing useful;
// opening the file first gives the reason a person can act on.
void require_readable(const std::string& path, const std::string& key) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    throw TlsError(key, "cannot read " + path + ": " + std::strerror(errno));
  }
  std::fclose(f);
}

int select_http11(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                  unsigned int inlen, void*) {
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, outlen, kAlpnHttp11, sizeof kAlpnHttp11, in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    // A client offering only h2 still gets HTTP/1.1 without ALPN rather than a failed handshake.
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

std::string drain_errors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    // "error:0A000086:SSL routines::certificate verify failed" -> the reason after the last ':'.
    std::string_view text(buf);
    size_t colon = text.rfind(':');
    if (colon != std::string_view::npos && colon + 1 < text.size()) text.remove_prefix(colon + 1);
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out;
}

ContextPtr make_server_context(const std::string& cert_path, const std::string& key_path) {
  ERR_clear_error();
  ContextPtr ctx = new_context(TLS_server_method());
  require_readable(cert_path, "tls.cert");
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), cert_path.c_str()) != 1) {
    throw TlsError("tls.cert",
                   cert_path + " holds no usable PEM certificate (" + drain_errors() + ")");
  }
  require_readable(key_path, "tls.key");
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), key_path.c_str(), SSL_FILETYPE_PEM) != 1) {
    const std::string why = drain_errors();
    // OpenSSL checks the key against the certificate while loading it.
    if (why.find("values mismatch") != std::string::npos) {
      throw TlsError("tls.key",
                     key_path + " is not the private key of the certificate in " + cert_path);
    }
    throw TlsError("tls.key", key_path + " holds no usable PEM private key (" + why + ")");
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    drain_errors();
    throw TlsError("tls.key",
                   key_path + " is not the private key of the certificate in " + cert_path);
  }
  SSL_CTX_set_options(ctx.get(), SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_alpn_select_cb(ctx.get(), select_http11, nullptr);
  return ctx;
}

ContextPtr make_client_context(const std::string& ca_file, const std::string& ca_key) {
  ERR_clear_error();
  ContextPtr ctx = new_context(TLS_client_method());
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
      throw TlsError(ca_key, "cannot load the system's CA store (" + drain_errors() + ")");
    }
  } else {
    require_readable(ca_file, ca_key);
    if (SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr) != 1) {
      throw TlsError(ca_key,
                     ca_file + " holds no usable PEM CA certificate (" + drain_errors() + ")");
    }
  }
  if (SSL_CTX_set_alpn_protos(ctx.get(), kAlpnHttp11, sizeof kAlpnHttp11) != 0) {
    throw TlsError("tls", "cannot offer ALPN http/1.1: " + drain_errors());
  }
  return ctx;
}

bool expect_peer(SSL* ssl, const std::string& host) {
  in6_addr v6{};
  in_addr v4{};
  const bool is_ip =
      inet_pton(AF_INET, host.c_str(), &v4) == 1 || inet_pton(AF_INET6, host.c_str(), &v6) == 1;
  if (is_ip) {
    // An address is checked against the certificate's IP SANs; SNI may not carry one.
    return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
  }
  return SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && SSL_set1_host(ssl, host.c_str()) == 1;
}

}  // namespace fathom::tls
