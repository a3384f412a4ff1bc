// X-Request-Id: kept when the client sent a sane one, so that a client can follow its request
// through the proxy and the lake; otherwise generated.
#pragma once

#include <string_view>

namespace fathom {

// 1 to 128 characters of [A-Za-z0-9._:-]: nothing that could break a log line or a header.
bool is_sane_request_id(std::string_view id);

}  // namespace fathom
