#include "http/chunked.h"

#include <limits>

#include "http/chars.h"
#include "http/lines.h"

namespace fathom::http {
namespace {

constexpr size_t kMaxSizeDigits = 16;  // 16 hex digits fill a uint64_t: no overflow possible

void skip_whitespace(std::string_view s, size_t& i) {
  while (i < s.size() && chars::is(s[i], chars::kWhitespace)) ++i;
}

bool skip_token(std::string_view s, size_t& i) {
  const size_t begin = i;
  while (i < s.size() && chars::is(s[i], chars::kTchar)) ++i;
  return i > begin;
}

bool skip_quoted_string(std::string_view s, size_t& i) {
  if (i >= s.size() || s[i] != '"') return false;
  for (++i; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"') {
      ++i;
      return true;
    }
    if (c == '\\') {
      if (++i == s.size() || !chars::is(s[i], chars::kFieldChar)) return false;
    } else if (!chars::is(c, chars::kQdtext)) {
      return false;
    }
  }
  return false;
}

// chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), RFC 9112 section 7.1.1.
bool valid_extensions(std::string_view s) {
  size_t i = 0;
  while (true) {
    skip_whitespace(s, i);
    if (i == s.size()) return i == 0;  // whitespace must lead to a ';'
    if (s[i] != ';') return false;
    ++i;
    skip_whitespace(s, i);
    if (!skip_token(s, i)) return false;
    const size_t after_name = i;
    skip_whitespace(s, i);
    if (i < s.size() && s[i] == '=') {
      ++i;
      skip_whitespace(s, i);
      if (!skip_token(s, i) && !skip_quoted_string(s, i)) return false;
    } else {
      i = after_name;
    }
    if (i == s.size()) return true;
  }
}

// chunk-size [ chunk-ext ], the line without its CRLF.
Refusal parse_size_line(std::string_view s, uint64_t& size) {
  size_t digits = 0;
  size = 0;
  while (digits < s.size() && chars::is(s[digits], chars::kHex)) {
    size = size << 4 | static_cast<uint64_t>(chars::hex_value(s[digits]));
    ++digits;
  }
  const std::string_view rest = s.substr(digits);
  if (digits == 0 || digits > kMaxSizeDigits ||
      (!rest.empty() && rest[0] != ';' && !chars::is(rest[0], chars::kWhitespace))) {
    return Refusal::bad_chunk_size;
  }
  return valid_extensions(rest) ? Refusal::none : Refusal::bad_chunk_framing;
}

Refusal line_refusal(LineEnd end) {
  switch (end) {
    case LineEnd::too_long:
      return Refusal::chunk_line_too_long;
    case LineEnd::over_budget:
      return Refusal::headers_too_large;
    case LineEnd::bare_lf:
      return Refusal::bare_lf;
    case LineEnd::found:
    case LineEnd::need_more:
      break;
  }
  return Refusal::none;
}

}  // namespace

// After a refusal the decoder stays failed; later calls repeat a generic refusal, as the caller
// was told the reason the first time.
ChunkedDecoder::Step ChunkedDecoder::next(std::string_view in) {
  const auto refuse = [this](Refusal r) {
    state_ = State::failed;
    return Step{Kind::refused, 0, r};
  };
  switch (state_) {
    case State::size_line: {
      const Line line = find_line(in, max_line_, std::numeric_limits<size_t>::max());
      if (line.end == LineEnd::need_more) return {};
      if (line.end != LineEnd::found) return refuse(line_refusal(line.end));
      uint64_t size = 0;
      if (const Refusal r = parse_size_line(line.content, size); r != Refusal::none) {
        return refuse(r);
      }
      remaining_ = size;
      state_ = size == 0 ? State::trailers : State::data;
      return {Kind::framing, line.length, Refusal::none};
    }
    case State::data: {
      if (in.empty()) return {};
      const size_t n = remaining_ < in.size() ? static_cast<size_t>(remaining_) : in.size();
      remaining_ -= n;
      payload_bytes_ += n;
      if (remaining_ == 0) state_ = State::data_crlf;
      return {Kind::data, n, Refusal::none};
    }
    case State::data_crlf: {
      if (in.empty() || (in[0] == '\r' && in.size() == 1)) return {};
      if (in[0] != '\r' || in[1] != '\n') return refuse(Refusal::bad_chunk_framing);
      state_ = State::size_line;
      return {Kind::framing, 2, Refusal::none};
    }
    case State::trailers: {
      const Line line = find_line(in, max_line_, max_trailer_bytes_ - trailer_bytes_);
      if (line.end == LineEnd::need_more) return {};
      if (line.end != LineEnd::found) return refuse(line_refusal(line.end));
      if (line.content.empty()) {
        state_ = State::finished;
        return {Kind::done, line.length, Refusal::none};
      }
      // Trailers are only checked and dropped: a proxy must not merge them into the head.
      if (Header h; parse_field_line(line.content, h) != Refusal::none) {
        return refuse(Refusal::bad_chunk_framing);
      }
      trailer_bytes_ += line.length;
      return {Kind::framing, line.length, Refusal::none};
    }
    case State::finished:
      return {Kind::done, 0, Refusal::none};
    case State::failed:
      break;
  }
  return {Kind::refused, 0, Refusal::bad_chunk_framing};
}

}  // namespace fathom::http
