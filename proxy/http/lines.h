// Line framing and field-line syntax shared by the head parsers and the chunked decoder (its size
// lines and trailers).
//
// The callers are stateless: they look at the front of the input again on each call. So that a
// message split anywhere gets the same verdict as the message in one piece, a limit is judged on
// the shortest prefix that breaks it, never on bytes beyond that prefix.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "http/chars.h"
#include "http/message.h"
#include "http/refusal.h"

namespace fathom::http {

enum class LineEnd : uint8_t {
  found,        // `content` is the line without its CRLF, `length` includes the CRLF
  need_more,    // no LF yet and no limit broken
  too_long,     // the content is longer than `max_content`
  over_budget,  // the line, LF included, would take more than `budget` bytes
  bare_lf,      // the line ends in an LF without a CR before it
};

struct Line {
  LineEnd end = LineEnd::need_more;
  std::string_view content;
  size_t length = 0;
};

// Finds the line at the start of `in`. A CR at the very end of a partial line may be the first
// half of its CRLF, so it does not count towards `max_content` yet.
inline Line find_line(std::string_view in, size_t max_content, size_t budget) {
  const size_t window = budget < in.size() ? budget + 1 : in.size();
  const void* lf = window ? std::memchr(in.data(), '\n', window) : nullptr;
  if (lf == nullptr) {
    const size_t content = window - (window > 0 && in[window - 1] == '\r' ? 1 : 0);
    if (content > max_content) return {LineEnd::too_long, {}, 0};
    if (window > budget) return {LineEnd::over_budget, {}, 0};
    return {};
  }
  const size_t at = static_cast<size_t>(static_cast<const char*>(lf) - in.data());
  const bool crlf = at > 0 && in[at - 1] == '\r';
  if (at - (crlf ? 1 : 0) > max_content) return {LineEnd::too_long, {}, 0};
  if (at + 1 > budget) return {LineEnd::over_budget, {}, 0};
  if (!crlf) return {LineEnd::bare_lf, {}, 0};
  return {LineEnd::found, in.substr(0, at - 1), at + 1};
}

// True if every octet is allowed in a field value: VCHAR, obs-text, SP or HTAB.
inline bool valid_field_value(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101;
  constexpr uint64_t kHighs = 0x8080808080808080;
  size_t i = 0;
  // Values are long and control octets rare: eight at a time, single octets only in a word that
  // holds one below 0x20 (HTAB included) or a DEL.
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    const uint64_t del = w ^ (kOnes * 0x7f);
    if ((((w - kOnes * 0x20) & ~w) | ((del - kOnes) & ~del)) & kHighs) {
      for (size_t j = i; j < i + 8; ++j) {
        if (!chars::is(s[j], chars::kFieldChar)) return false;
      }
    }
  }
  for (; i < s.size(); ++i) {
    if (!chars::is(s[i], chars::kFieldChar)) return false;
  }
  return true;
}

// Parses "name: value" (RFC 9110 section 5.5, RFC 9112 section 5) from a line without its CRLF.
// A bare CR is reported as a bad value wherever it is, as the CR belongs to no name.
inline Refusal parse_field_line(std::string_view line, Header& out) {
  if (line.empty()) return Refusal::bad_header_name;
  if (chars::is(line[0], chars::kWhitespace)) return Refusal::obs_fold;
  size_t i = 0;
  while (i < line.size() && chars::is(line[i], chars::kTchar)) ++i;
  if (i == line.size() || line[i] != ':') {
    if (std::memchr(line.data(), '\r', line.size()) != nullptr) return Refusal::bad_header_value;
    return Refusal::bad_header_name;
  }
  if (i == 0) return Refusal::bad_header_name;
  out.name = line.substr(0, i);
  std::string_view value = line.substr(i + 1);
  if (!valid_field_value(value)) return Refusal::bad_header_value;
  while (!value.empty() && chars::is(value.front(), chars::kWhitespace)) value.remove_prefix(1);
  while (!value.empty() && chars::is(value.back(), chars::kWhitespace)) value.remove_suffix(1);
  out.value = value;
  return Refusal::none;
}

}  // namespace fathom::http
