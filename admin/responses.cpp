#include "responses.h"

#include <string>

#include "token_requests.h"

namespace fathom::admin {

Response json_response(int status, const Json& body) {
  Response response;
  response.status = status;
  // Names come from the store, which other tools also write: replace a bad UTF-8 byte rather
  // than throw on the data path.
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

Response error_response(int status, std::string_view code, std::string_view message) {
  Json body = Json::object();
  body["error"] = code;
  body["message"] = message;
  return json_response(status, body);
}

Response unauthenticated(bool token_presented) {
  Response response = error_response(401, "invalid_token",
                                     "Send a valid token as \"Authorization: Bearer <token>\".");
  response.headers.emplace_back("WWW-Authenticate",
                                token_presented ? R"(Bearer realm="fathom", error="invalid_token")"
                                                : R"(Bearer realm="fathom")");
  return response;
}

Response invalid_request(std::string_view message) {
  return error_response(400, "invalid_request", message);
}

Response insufficient_scope(std::string_view scope, std::string_view message) {
  Response response = error_response(403, "insufficient_scope", message);
  response.headers.emplace_back("WWW-Authenticate",
                                "Bearer realm=\"fathom\", error=\"insufficient_scope\", scope=\"" +
                                    std::string(scope) + "\"");
  return response;
}

Response token_not_found(std::string_view token_id) {
  if (!is_token_id(token_id)) {
    return error_response(404, "not_found",
                          "No token with that id; token ids look like tok_ followed by 16 letters "
                          "and digits.");
  }
  return error_response(404, "not_found", "No token with id " + std::string(token_id) + ".");
}

Response method_not_allowed(std::string_view allow) {
  Response response = error_response(405, "method_not_allowed",
                                     "This route accepts only " + std::string(allow) + ".");
  response.headers.emplace_back("Allow", std::string(allow));
  return response;
}

Response conflict(std::string_view message) {
  return error_response(409, "conflict", message);
}

Response read_failure(StoreStatus status, std::string_view token_id) {
  return status == StoreStatus::not_found ? token_not_found(token_id) : store_unavailable();
}

Response store_unavailable() {
  return error_response(503, "store_unavailable",
                        "The token store cannot be reached; try again in a few seconds.");
}

Response internal_error() {
  return error_response(500, "internal_error",
                        "The admin plugin hit an unexpected error; check the server log, then try "
                        "again.");
}

}  // namespace fathom::admin
