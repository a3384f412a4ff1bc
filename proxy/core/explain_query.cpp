#include "core/explain_query.h"

#include "http/chars.h"
#include "http/target.h"

namespace fathom {
namespace {

// Percent-decodes a query value ('+' is a space in forms); nullopt for a broken escape.
std::optional<std::string> decode_component(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = http::chars::hex_value(in[i + 1]);
      int lo = http::chars::hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

bool valid_method(std::string_view m) {
  if (m.empty() || m.size() > 32) return false;
  for (char c : m) {
    if (!http::chars::is(c, http::chars::kTchar)) return false;
  }
  return true;
}

ExplainQueryParse refuse(std::string error) {
  return ExplainQueryParse{std::nullopt, std::move(error)};
}

}  // namespace

ExplainQueryParse parse_explain_query(std::string_view query) {
  std::optional<std::string> method, path;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    std::string_view raw = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (name != "method" && name != "path") {
      return refuse("Unknown parameter \"" + std::string(name.substr(0, 64)) +
                    "\": explain takes method and path.");
    }
    std::optional<std::string> value = decode_component(raw);
    if (!value) return refuse(std::string(name) + ": broken percent-encoding.");
    (name == "method" ? method : path) = std::move(*value);
  }
  if (!method || !valid_method(*method)) {
    return refuse("method: give the HTTP method to explain, e.g. method=POST.");
  }
  if (!path || path->empty() || (*path)[0] != '/') {
    return refuse("path: give the request path to explain, starting with '/', e.g. path=/v1/x.");
  }
  http::Target target;
  if (http::parse_target(*path, target) != http::Refusal::none || !target.query.empty()) {
    return refuse(
        "path: not a path the proxy would accept (no query, no dot segments, no encoded "
        "slashes).");
  }
  return ExplainQueryParse{ExplainQuery{std::move(*method), std::string(target.path)}, {}};
}

}  // namespace fathom
