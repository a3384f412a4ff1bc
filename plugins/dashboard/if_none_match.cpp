#include "if_none_match.h"

namespace fathom::dashboard {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

void skip_spaces(std::string_view& s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
}

}  // namespace

bool if_none_match_hits(std::string_view header, std::string_view etag) {
  std::string_view rest = header;
  skip_spaces(rest);
  while (!rest.empty() && is_space(rest.back())) rest.remove_suffix(1);
  if (rest == "*") return true;
  while (!rest.empty()) {
    skip_spaces(rest);
    if (!rest.empty() && rest.front() == ',') {  // empty list elements are allowed
      rest.remove_prefix(1);
      continue;
    }
    if (rest.empty()) break;
    if (rest.starts_with("W/")) rest.remove_prefix(2);
    if (rest.empty() || rest.front() != '"') return false;
    const size_t close = rest.find('"', 1);
    if (close == std::string_view::npos) return false;
    const std::string_view tag = rest.substr(0, close + 1);
    rest.remove_prefix(close + 1);
    skip_spaces(rest);
    // Only a whole list element counts: "x"junk is malformed, not "x".
    if (!rest.empty() && rest.front() != ',') return false;
    if (tag == etag) return true;
  }
  return false;
}

}  // namespace fathom::dashboard
