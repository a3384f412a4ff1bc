#include "cli/tls_session.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <poll.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "cli/cli_error.h"
#include "cli/exit_codes.h"
#include "cli/socket_wait.h"

namespace fathom::cli {

TlsSession::TlsSession(int fd, const std::string& host, const std::string& ca_file,
                       std::chrono::milliseconds timeout, const std::string& where)
    : fd_(fd), where_(where) {
  try {
    ctx_ = tls::make_client_context(ca_file, "--ca-file");
  } catch (const tls::TlsError& e) {
    throw CliError(kExitLocal, e.key() + ": " + e.what());
  }
  ssl_.reset(SSL_new(ctx_.get()));
  if (ssl_ == nullptr || SSL_set_fd(ssl_.get(), fd_) != 1 || !tls::expect_peer(ssl_.get(), host)) {
    throw CliError(kExitLocal, "cannot set up TLS for " + where_ + ": " + tls::drain_errors());
  }
  for (;;) {
    int rc = SSL_connect(ssl_.get());
    if (rc == 1) break;
    if (SSL_get_error(ssl_.get(), rc) == SSL_ERROR_SSL &&
        SSL_get_verify_result(ssl_.get()) != X509_V_OK) {
      tls::drain_errors();
      throw CliError(kExitUnreachable,
                     "cannot talk to " + where_ + ": its TLS certificate was not accepted (" +
                         X509_verify_cert_error_string(SSL_get_verify_result(ssl_.get())) +
                         "); pass --ca-file with the CA certificate that issued it");
    }
    wait_and_retry(rc, timeout, "the TLS handshake");
  }
}

bool TlsSession::wait_and_retry(int rc, std::chrono::milliseconds timeout, const char* doing) {
  const int err = SSL_get_error(ssl_.get(), rc);
  short events = 0;
  if (err == SSL_ERROR_WANT_READ) {
    events = POLLIN;
  } else if (err == SSL_ERROR_WANT_WRITE) {
    events = POLLOUT;
  } else {
    std::string why = tls::drain_errors();
    if (why.empty()) why = err == SSL_ERROR_SYSCALL ? std::strerror(errno) : "the peer closed";
    throw CliError(kExitUnreachable, "cannot talk to " + where_ + ": " + doing + " failed: " + why);
  }
  if (!wait_for(fd_, events, timeout)) {
    throw CliError(kExitUnreachable, "cannot talk to " + where_ + ": " + doing + " timed out");
  }
  return true;
}

void TlsSession::write_all(std::string_view bytes, std::chrono::milliseconds timeout) {
  while (!bytes.empty()) {
    const int chunk = static_cast<int>(std::min<size_t>(bytes.size(), INT_MAX));
    int rc = SSL_write(ssl_.get(), bytes.data(), chunk);
    if (rc > 0) {
      bytes.remove_prefix(static_cast<size_t>(rc));
      continue;
    }
    wait_and_retry(rc, timeout, "sending the request");
  }
}

size_t TlsSession::read_some(char* out, size_t size, std::chrono::milliseconds timeout) {
  const int want = static_cast<int>(std::min<size_t>(size, INT_MAX));
  for (;;) {
    int rc = SSL_read(ssl_.get(), out, want);
    if (rc > 0) return static_cast<size_t>(rc);
    if (SSL_get_error(ssl_.get(), rc) == SSL_ERROR_ZERO_RETURN) return 0;
    wait_and_retry(rc, timeout, "reading the answer");
  }
}

}  // namespace fathom::cli
