// Which of a client's request headers may go on to the lake (API.md, "Forwarding").
//
// Upstreams built on CGI, WSGI, PHP or Rack see header names upper-cased with '-' turned into
// '_' (X-Fathom-Token-Id becomes HTTP_X_FATHOM_TOKEN_ID), so "X_Fathom_Token_Id" and
// "X-Fathom_Scopes" would reach them as the proxy's own identity headers. Names are therefore
// compared with '_' read as '-', and a name containing '_' is dropped unless the operator allows
// them (nginx's underscores_in_headers).
#pragma once

#include <string_view>

namespace fathom::http {

struct ForwardRules {
  bool forward_authorization = false;  // upstream.forward_authorization
  bool allow_underscores = false;      // limits.allow_underscores_in_headers
};

// True if the client's header `name` must not be forwarded: hop-by-hop headers, the framing
// and routing headers the proxy sets itself (Host, Content-Length, Expect), every X-Fathom-*,
// the proxy-trust headers frameworks route or change the method on (Forwarded, X-Forwarded-*,
// X-Real-IP, X-Original-URL, X-Rewrite-URL, X-HTTP-Method-Override, X-HTTP-Method,
// X-Method-Override, Proxy-Authorization), X-Request-Id and X-Client-Request-Id (the proxy
// sends its own), Authorization unless forwarded on purpose, and names with '_'.
bool dropped_request_header(std::string_view name, const ForwardRules& rules);

// ASCII case-insensitive comparison with '_' read as '-'.
bool header_name_is(std::string_view name, std::string_view lower_dashed);

}  // namespace fathom::http
