// The query string of GET /v1/auth/explain ("method=POST&path=/v1/x", both percent-encoded):
// pure parsing, apart from the route so that it is unit-tested and fuzzed without the daemon's
// event loop, plugins or store.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fathom {

struct ExplainQuery {
  std::string method;  // an HTTP token of 1 to 32 characters
  std::string path;    // starts with '/', a path the proxy would accept (http::parse_target)
};

struct ExplainQueryParse {
  std::optional<ExplainQuery> query;  // set when the query string is good
  std::string error;                  // otherwise: what is wrong, naming the parameter
};

// Takes exactly the parameters method and path (a repeated one: the last wins), percent-decoded
// with '+' as a space. Refuses an unknown parameter, a broken escape, a missing or malformed
// method, and a path that is missing, relative, or one the proxy would refuse (dot segments,
// encoded slashes, a query of its own).
ExplainQueryParse parse_explain_query(std::string_view query);

}  // namespace fathom
