// Template definitions for serialize.h.
#pragma once

#include "http/message.h"

namespace fathom::http {

template <typename Head>
bool is_listed_in_connection(const Head& head, std::string_view name) {
  for (const Header& h : head.headers) {
    if (iequals(h.name, "connection") && list_contains(h.value, name)) return true;
  }
  return false;
}

}  // namespace fathom::http
