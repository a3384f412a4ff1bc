// Feeds arbitrary bytes to the query parser of GET /v1/auth/explain. It must never crash; what it
// refuses comes with a message the route can put in its JSON answer; what it accepts is a method
// and path that survive being encoded into a query again and parsed back unchanged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/explain_query.h"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// What the daemon's request-target check lets through to a query: visible ASCII only.
bool visible_ascii(std::string_view s) {
  for (char c : s) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

// Percent-encodes every byte but RFC 3986's unreserved characters, as a careful client would.
std::string encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

bool same(const fathom::ExplainQueryParse& r, const fathom::ExplainQuery& q) {
  return r.query && r.error.empty() && r.query->method == q.method && r.query->path == q.path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const fathom::ExplainQueryParse r = fathom::parse_explain_query(in);
  if (!r.query) {
    check(!r.error.empty());
    // The route answers 400 with this message in JSON; dump() throws on bytes that are not UTF-8.
    if (visible_ascii(in)) check(!nlohmann::json(r.error).dump().empty());
    return 0;
  }
  check(r.error.empty());
  const fathom::ExplainQuery& q = *r.query;
  check(!q.method.empty() && q.method.size() <= 32 && visible_ascii(q.method));
  // The path goes into the 200 answer's JSON and to the policies as a request path.
  check(!q.path.empty() && q.path.front() == '/' && visible_ascii(q.path));
  check(q.path.find('?') == std::string::npos && q.path.find('#') == std::string::npos);

  check(same(fathom::parse_explain_query("method=" + encode(q.method) + "&path=" + encode(q.path)),
             q));
  check(same(fathom::parse_explain_query("path=" + encode(q.path) + "&method=" + encode(q.method)),
             q));
  return 0;
}
