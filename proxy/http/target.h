// Request-target validation (RFC 9112 section 3.2). The path that the scope policies see must be
// the path the upstream sees, so a target that common upstreams could read two ways is refused
// here; what remains is only spelled differently, and canonicalize_path() settles the spelling.
#pragma once

#include <string_view>

#include "http/refusal.h"

namespace fathom::http {

struct Target {
  std::string_view path;       // starts with '/'; a static "/" for "http://host" without a path
  std::string_view query;      // without '?'; empty if none
  std::string_view authority;  // absolute-form only: "host[:port]" from the target
  bool absolute_form = false;
};

// Accepts origin-form ("/p?q") and absolute-form ("http://host/p?q"). Refuses: any other form
// ("*", authority-form), a fragment, characters outside RFC 3986's set, "." or ".." segments,
// empty segments ("//"), segments ending in '.', ';' in the path, the percent-encodings
// %2e %2f %5c %00 (any case), and backslashes. The accepted path is not yet canonical: see
// path_canonical.h.
Refusal parse_target(std::string_view target, Target& out);

// True if `authority` is "host[:port]" with a reg-name, IPv4 or bracketed IPv6 host.
bool valid_authority(std::string_view authority);

}  // namespace fathom::http
