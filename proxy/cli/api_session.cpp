#include "cli/api_session.h"

#include <cstdio>

#include "cli/credentials.h"
#include "cli/exit_codes.h"

namespace fathom::cli {

std::string ApiAnswer::error() const {
  return body.is_object() && body.contains("error") && body["error"].is_string()
             ? body["error"].get<std::string>()
             : std::string();
}

std::string ApiAnswer::message() const {
  return body.is_object() && body.contains("message") && body["message"].is_string()
             ? body["message"].get<std::string>()
             : std::string();
}

ApiSession open_session(const ParsedArgs& args, std::string_view command) {
  ServerUrl url = parse_server_url(server_url_text(args));
  // Refused before the token is read or a connection made: on a plain connection to another
  // host the admin token can be read, and replayed, by anyone on the path.
  if (!url.tls && !is_loopback_host(url.host) && !args.has("--insecure-http")) {
    throw CliError(kExitUsage,
                   "refusing to send the admin token over plain http:// to " + url.host +
                       ", which is not a loopback address: anyone on the network path could "
                       "read it; use an https:// --url (a TLS listener), or pass --insecure-http "
                       "if that network is trusted (see 'fathom-auth " +
                       std::string(command) + " --help')");
  }
  if (std::optional<std::string> ca_file = args.value("--ca-file")) {
    if (!url.tls) {
      throw CliError(kExitLocal, "--ca-file is only for an https:// --url (" + url.text + ")");
    }
    url.ca_file = *ca_file;
  }
  return ApiSession{AdminClient(std::move(url), admin_token(args)), args.has("--json"),
                    std::string(command)};
}

ApiAnswer send_api(const AdminClient& client, std::string_view method, std::string_view path,
                   const std::optional<nlohmann::json>& body) {
  std::optional<std::string> text;
  if (body) text = body->dump();
  HttpReply reply = client.send(method, path, text);
  ApiAnswer answer;
  answer.status = reply.status;
  answer.body = nlohmann::json::parse(reply.body, nullptr, false);
  if (answer.body.is_discarded()) answer.body = nullptr;
  return answer;
}

int exit_code_for_status(int status) {
  if (status == 404) return kExitNotFound;
  if (status == 409) return kExitConflict;
  if (status >= 400 && status < 500) return kExitRefused;
  return kExitUnreachable;
}

CliError api_failure(const ApiAnswer& answer, std::string_view what) {
  std::string text = std::string(what) + ": " + std::to_string(answer.status);
  if (!answer.error().empty()) text += " " + answer.error();
  if (!answer.message().empty()) text += ": " + answer.message();
  if (answer.status == 401) {
    text += " (the admin token was refused: check FATHOM_ADMIN_TOKEN or --token-file)";
  } else if (answer.status == 403 && answer.error() == "insufficient_scope") {
    text += " (the admin token needs that scope)";
  } else if (answer.status == 404 && answer.error().empty()) {
    text += " (is the admin plugin loaded? its routes are not being served)";
  }
  return CliError(exit_code_for_status(answer.status), text);
}

nlohmann::json call_api(const AdminClient& client, std::string_view method, std::string_view path,
                        std::string_view what, const std::optional<nlohmann::json>& body) {
  ApiAnswer answer = send_api(client, method, path, body);
  if (answer.status < 200 || answer.status > 299) throw api_failure(answer, what);
  if (answer.body.is_null()) {
    throw CliError(kExitUnreachable, std::string(what) + ": the answer (" +
                                         std::to_string(answer.status) + ") is not JSON");
  }
  return answer.body;
}

std::string query_escape(std::string_view value) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

void print_json(const nlohmann::json& doc) {
  std::string text = doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace fathom::cli
