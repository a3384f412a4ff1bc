// The admin routes' answers. Every error body is {"error": "<code>", "message": "<sentence>"}
// with the codes of API.md; the messages never carry a secret.
#pragma once

#include <string_view>

#include "fathom/plugin.h"
#include "token_json.h"

namespace fathom::admin {

Response json_response(int status, const Json& body);
Response error_response(int status, std::string_view code, std::string_view message);

// 401 invalid_token as the daemon answers it: the challenge carries error="invalid_token" only
// when a token was presented.
Response unauthenticated(bool token_presented);
// 400 invalid_request; `message` names the field.
Response invalid_request(std::string_view message);
// 403 insufficient_scope with the WWW-Authenticate challenge naming the scope that is missing.
Response insufficient_scope(std::string_view scope, std::string_view message);
// 404 not_found for a token id; a malformed id is not echoed (it might be a pasted secret).
Response token_not_found(std::string_view token_id);
// 405 with the Allow header; `allow` is e.g. "GET, HEAD, POST".
Response method_not_allowed(std::string_view allow);
Response conflict(std::string_view message);
// A read of one token that found nothing (404) or could not ask (503).
Response read_failure(StoreStatus status, std::string_view token_id);
Response store_unavailable();
// For a store answer that the route cannot explain (a bug somewhere): 500 internal_error.
Response internal_error();

}  // namespace fathom::admin
