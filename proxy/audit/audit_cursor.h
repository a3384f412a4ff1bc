// The opaque cursor of an audit page. It encodes one number: the sequence number of the last
// event the page returned; the next page holds the matching events below it (older). The query's
// filters are not in it: the caller sends them again with the cursor.
//
//   "c" + 16 lowercase hex digits of the seq + 8 hex digits of check
//
// The check (the first 4 bytes of a SHA-256 over a fixed label and the digits) is there so that a
// damaged or hand-made cursor is refused as bad_cursor instead of silently skipping events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fathom::audit {

std::string encode_cursor(uint64_t seq);

// The seq a cursor continues below, or nullopt when it is not one this log makes.
std::optional<uint64_t> decode_cursor(std::string_view cursor);

}  // namespace fathom::audit
