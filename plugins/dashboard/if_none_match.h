// If-None-Match (RFC 9110 §13.1.2): does a cached copy with one of the listed entity tags still
// match? Comparison is weak, as the RFC asks for this header: W/"x" matches "x".
#pragma once

#include <string_view>

namespace fathom::dashboard {

// True when `header` is "*" or lists `etag` (a quoted strong tag such as "\"abc\"").
// A malformed list never matches: the client then simply gets the full answer.
bool if_none_match_hits(std::string_view header, std::string_view etag);

}  // namespace fathom::dashboard
