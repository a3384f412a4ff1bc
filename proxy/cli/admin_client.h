// A small blocking HTTP/1.1 client for the CLI: one connection per request ("Connection:
// close"), responses read with the project's own strict parser and chunked decoder, every wait
// bounded. https:// verifies the daemon's certificate (cli/tls_session.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fathom::cli {

struct ServerUrl {
  std::string text;  // as given, without a trailing '/', for messages
  std::string host;  // without brackets for IPv6
  std::string port;
  std::string host_header;  // host[:port] as the Host header carries it
  bool tls = false;         // https://
  std::string ca_file;      // https: --ca-file; empty means the system's CA store
};

// Parses "http[s]://host[:port][/]". Throws CliError(kExitLocal) naming what is wrong.
ServerUrl parse_server_url(std::string_view text);

// True for a host that names this machine's loopback interface: "localhost" (any case),
// 127.0.0.0/8 and ::1 (also as ::ffff:127.x.y.z). Plain http:// is safe only to those: anywhere
// else the admin token crosses a network in the clear.
bool is_loopback_host(std::string_view host);

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
};

struct ClientTimeouts {
  std::chrono::milliseconds connect{5000};
  std::chrono::milliseconds io{30000};  // for each wait for the next bytes
};

class AdminClient {
 public:
  // `bearer` may be empty (no Authorization header). It is sent and never shown in a message.
  AdminClient(ServerUrl url, std::string bearer, ClientTimeouts timeouts = {});

  const ServerUrl& url() const { return url_; }

  // One request on a fresh connection. `json_body`, when set, is sent as application/json.
  // Throws CliError(kExitUnreachable) when the daemon cannot be reached, times out or answers
  // something that is not HTTP; any HTTP status is returned.
  HttpReply send(std::string_view method, std::string_view path,
                 const std::optional<std::string>& json_body = std::nullopt) const;

  // The same client presenting another token (for checking a freshly minted one).
  AdminClient with_bearer(std::string bearer) const { return {url_, std::move(bearer), timeouts_}; }

 private:
  ServerUrl url_;
  std::string bearer_;
  ClientTimeouts timeouts_;
};

}  // namespace fathom::cli
