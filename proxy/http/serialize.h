// Small writers for what the proxy sends: never raw bytes passed through, always a head rebuilt
// from the parsed fields, so that framing is canonical on the other side.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fathom::http {

// True for hop-by-hop fields that a proxy must not forward (RFC 9110 section 7.6.1), not
// counting the names a Connection header lists (see is_listed_in_connection).
bool is_hop_by_hop(std::string_view name);

// True if `name` is listed in any of the Connection header values of a head.
template <typename Head>
bool is_listed_in_connection(const Head& head, std::string_view name);

// Appends "Name: value\r\n".
void append_header(std::string& out, std::string_view name, std::string_view value);

// Appends a chunk-size line for `n` payload bytes: "<hex>\r\n".
void append_chunk_size(std::string& out, uint64_t n);

std::string_view reason_phrase(int status);

}  // namespace fathom::http

#include "http/serialize_inl.h"
