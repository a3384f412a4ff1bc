// The canonical form of a request path, the one form the scope policies, the audit and the lake
// all see (API.md, "Forwarding"). parse_target() has already refused every path that common
// upstreams would read differently (empty segments, segments ending in '.', ';', escapes of '/',
// '\', '.' and NUL); what is left differs from its canonical form only in spelling:
// percent-encoded unreserved characters ("%69" for 'i') are decoded, and other escapes are
// written with upper-case hex ("%c3%a9" becomes "%C3%A9"). Decoding the canonical form gives the
// same bytes as decoding the original, and canonicalizing twice changes nothing.
#pragma once

#include <string>
#include <string_view>

namespace fathom::http {

// True if `path` (validated by parse_target) is already canonical; otherwise writes the canonical
// form to `out` (replacing its contents, reusing its capacity) and returns false. The common case,
// a path without escapes, is a single scan that writes nothing.
bool canonicalize_path(std::string_view path, std::string& out);

// Every escape decoded: what a CGI or WSGI upstream puts in PATH_INFO. For tests and the fuzzer's
// property check; an escape that is not "%" + two hex digits is kept as it is.
std::string percent_decode(std::string_view s);

}  // namespace fathom::http
