// Reading the bearer credential of a request (RFC 6750 section 2.1, scheme name compared
// case-insensitively as RFC 9110 says). Only the Authorization header counts: a token in the
// query string is refused, never used, so it cannot leak through logs and referrers.
#pragma once

#include <string>
#include <string_view>

#include "http/message.h"

namespace fathom {

enum class CredentialStatus {
  none,         // no Authorization header
  bearer,       // "Bearer <token>": `token` is set (its format is checked later)
  malformed,    // another scheme, no token, more than one token, or bad characters
  duplicate,    // more than one Authorization header: 400
  query_token,  // ?access_token= in the query: refused
};

struct Credentials {
  CredentialStatus status = CredentialStatus::none;
  std::string_view token;
};

Credentials read_credentials(const http::RequestHead& head);

// Overwrites with zeros the values of `head`'s Authorization headers inside `buf`, the buffer its
// views point into, so that the raw token does not outlive its use (hashing, or forwarding with
// upstream.forward_authorization). The views stay valid; they then read zeros.
void cleanse_credentials(std::string& buf, const http::RequestHead& head);

}  // namespace fathom
