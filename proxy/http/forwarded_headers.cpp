#include "http/forwarded_headers.h"

#include <cstring>

namespace fathom::http {
namespace {

char fold(char c) {
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  return c == '_' ? '-' : c;
}

bool starts_with(std::string_view name, std::string_view lower_dashed) {
  return name.size() >= lower_dashed.size() &&
         header_name_is(name.substr(0, lower_dashed.size()), lower_dashed);
}

// Every name below, by its first letter, so that a header is compared with a handful at most.
bool listed(std::string_view name, bool forward_authorization) {
  switch (fold(name[0])) {
    case 'a':
      return !forward_authorization && header_name_is(name, "authorization");
    case 'c':
      return header_name_is(name, "connection") || header_name_is(name, "content-length");
    case 'e':
      return header_name_is(name, "expect");
    case 'f':
      return header_name_is(name, "forwarded");
    case 'h':
      return header_name_is(name, "host");
    case 'k':
      return header_name_is(name, "keep-alive");
    case 'p':
      return header_name_is(name, "proxy-connection") ||
             header_name_is(name, "proxy-authorization");
    case 't':
      return header_name_is(name, "te") || header_name_is(name, "trailer") ||
             header_name_is(name, "transfer-encoding");
    case 'u':
      return header_name_is(name, "upgrade");
    case 'x':
      return starts_with(name, "x-fathom-") || starts_with(name, "x-forwarded-") ||
             header_name_is(name, "x-real-ip") || header_name_is(name, "x-original-url") ||
             header_name_is(name, "x-rewrite-url") ||
             header_name_is(name, "x-http-method-override") ||
             header_name_is(name, "x-http-method") || header_name_is(name, "x-method-override") ||
             header_name_is(name, "x-request-id") || header_name_is(name, "x-client-request-id");
    default:
      return false;
  }
}

}  // namespace

bool header_name_is(std::string_view name, std::string_view lower_dashed) {
  if (name.size() != lower_dashed.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (fold(name[i]) != lower_dashed[i]) return false;
  }
  return true;
}

bool dropped_request_header(std::string_view name, const ForwardRules& rules) {
  if (name.empty()) return true;
  if (!rules.allow_underscores && std::memchr(name.data(), '_', name.size()) != nullptr) {
    return true;
  }
  return listed(name, rules.forward_authorization);
}

}  // namespace fathom::http
