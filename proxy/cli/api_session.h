// What every admin-API command shares: the client built from --url and the admin token, calls
// whose failures become CliErrors with the documented exit codes and the API's own message, and
// the two output forms (a table for people, the API's JSON for scripts).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cli/admin_client.h"
#include "cli/arguments.h"
#include "cli/cli_error.h"

namespace fathom::cli {

struct ApiSession {
  AdminClient client;
  bool json = false;
  std::string command;  // "tokens revoke", for messages
};

// Throws CliError(kExitLocal) when the URL or the token is missing or unsafe, and
// CliError(kExitUsage) for a plain http:// URL to a host other than loopback without
// --insecure-http.
ApiSession open_session(const ParsedArgs& args, std::string_view command);

// A parsed answer of the API.
struct ApiAnswer {
  int status = 0;
  nlohmann::json body;          // null if the body was not JSON
  std::string error() const;    // body["error"] or ""
  std::string message() const;  // body["message"] or ""
};

// Sends the request; any HTTP answer is returned. Throws CliError(kExitUnreachable) when the
// daemon cannot be reached.
ApiAnswer send_api(const AdminClient& client, std::string_view method, std::string_view path,
                   const std::optional<nlohmann::json>& body = std::nullopt);

// The exit code an unsuccessful status stands for.
int exit_code_for_status(int status);

// Sends the request and returns the body of a 2xx answer; otherwise throws the CliError for the
// status, its message naming `what` ("revoke tok_…") and the API's own explanation.
nlohmann::json call_api(const AdminClient& client, std::string_view method, std::string_view path,
                        std::string_view what,
                        const std::optional<nlohmann::json>& body = std::nullopt);

// The CliError for an unsuccessful answer (as call_api throws it).
CliError api_failure(const ApiAnswer& answer, std::string_view what);

// Percent-encodes a query parameter's value.
std::string query_escape(std::string_view value);

// Prints one JSON document on stdout (indented, newline-terminated) and flushes.
void print_json(const nlohmann::json& doc);

}  // namespace fathom::cli
