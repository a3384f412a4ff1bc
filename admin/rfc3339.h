// RFC 3339 times as the API shows and accepts them. Output is always UTC with a `Z` and whole
// seconds, so clients can compare times as strings; input takes any offset and fraction.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fathom/token_store.h"

namespace fathom::admin {

// "2026-11-26T21:43:00Z".
std::string format_time(UnixTime time);

// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)` (`t` and `z` also accepted, as RFC
// 3339 allows). A fraction is dropped, rounding towards the past: an expiry never ends up later
// than the one asked for. Second 60 (a leap second) is taken as the first second of the next
// minute, as POSIX time does. nullopt when the text is not such a time or names no real date.
std::optional<UnixTime> parse_time(std::string_view text);

}  // namespace fathom::admin
