// The CLI's https:// transport: OpenSSL over the admin client's connected, non-blocking socket,
// every wait bounded by poll(). The daemon's certificate is verified against --ca-file (or the
// system's CA store) and must be issued for the host in --url.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "tls/tls_context.h"

namespace fathom::cli {

class TlsSession {
 public:
  // Handshakes on `fd` (connected; the caller keeps owning it). `where` names the URL in
  // messages. Throws CliError: kExitLocal for a --ca-file that cannot be used, kExitUnreachable
  // for a failed or timed-out handshake (an untrusted certificate among them).
  TlsSession(int fd, const std::string& host, const std::string& ca_file,
             std::chrono::milliseconds timeout, const std::string& where);
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Sends every byte; throws CliError(kExitUnreachable) on error or timeout.
  void write_all(std::string_view bytes, std::chrono::milliseconds timeout);
  // Reads up to `size` bytes: their count, or 0 at the end of the stream. Throws
  // CliError(kExitUnreachable) on error or timeout.
  size_t read_some(char* out, size_t size, std::chrono::milliseconds timeout);

 private:
  // After an SSL call returned `rc`: waits for what OpenSSL asks for and returns true to retry,
  // or throws for a real failure described as `doing`.
  bool wait_and_retry(int rc, std::chrono::milliseconds timeout, const char* doing);

  int fd_;
  std::string where_;
  struct SslFree {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };

  tls::ContextPtr ctx_;
  // Owned from the start, so that a constructor that throws (an untrusted certificate) still
  // frees it.
  std::unique_ptr<SSL, SslFree> ssl_;
};

}  // namespace fathom::cli
