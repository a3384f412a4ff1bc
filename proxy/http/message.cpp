#include "http/message.h"

#include "http/chars.h"

namespace fathom::http {
namespace {

template <typename Head>
const Header* find_in(const Head& head, std::string_view name) {
  for (const Header& h : head.headers) {
    if (iequals(h.name, name)) return &h;
  }
  return nullptr;
}

template <typename Head>
size_t count_in(const Head& head, std::string_view name) {
  size_t n = 0;
  for (const Header& h : head.headers) n += iequals(h.name, name) ? 1 : 0;
  return n;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && chars::is(s.front(), chars::kWhitespace)) s.remove_prefix(1);
  while (!s.empty() && chars::is(s.back(), chars::kWhitespace)) s.remove_suffix(1);
  return s;
}

}  // namespace

const Header* RequestHead::find(std::string_view name) const {
  return find_in(*this, name);
}
size_t RequestHead::count(std::string_view name) const {
  return count_in(*this, name);
}
const Header* ResponseHead::find(std::string_view name) const {
  return find_in(*this, name);
}
size_t ResponseHead::count(std::string_view name) const {
  return count_in(*this, name);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (chars::lower(a[i]) != chars::lower(b[i])) return false;
  }
  return true;
}

bool list_contains(std::string_view value, std::string_view token) {
  while (true) {
    const size_t comma = value.find(',');
    if (iequals(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) return false;
    value.remove_prefix(comma + 1);
  }
}

}  // namespace fathom::http
