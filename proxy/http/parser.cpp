#include "http/parser.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "http/chars.h"
#include "http/lines.h"
#include "http/target.h"

namespace fathom::http {
namespace {

constexpr size_t kUnlimited = std::numeric_limits<size_t>::max();

enum class VersionCheck : uint8_t { ok, unsupported, malformed };

// "HTTP/" DIGIT "." DIGIT; the name is case-sensitive (RFC 9112 section 2.3).
VersionCheck parse_version(std::string_view v, Version& out) {
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || !chars::is(v[5], chars::kDigit) ||
      v[6] != '.' || !chars::is(v[7], chars::kDigit)) {
    return VersionCheck::malformed;
  }
  if (v[5] != '1' || (v[7] != '0' && v[7] != '1')) return VersionCheck::unsupported;
  out = v[7] == '1' ? Version::http11 : Version::http10;
  return VersionCheck::ok;
}

// 1 to 15 digits: enough for any real body, and never near uint64 overflow.
bool parse_content_length(std::string_view v, uint64_t& out) {
  if (v.empty() || v.size() > 15) return false;
  uint64_t n = 0;
  for (char c : v) {
    if (!chars::is(c, chars::kDigit)) return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  out = n;
  return true;
}

// The fields that decide how a message is read, found in one pass over the headers.
struct Semantics {
  static constexpr size_t kNone = kUnlimited;
  size_t host = kNone;
  size_t hosts = 0;
  size_t transfer_encoding = kNone;
  size_t transfer_encodings = 0;
  size_t content_length = kNone;
  size_t content_lengths = 0;
  bool content_lengths_differ = false;
  bool close = false;
  bool keep_alive = false;
  bool connection_upgrade = false;
  bool upgrade = false;
  bool upgrade_h2c = false;
  bool expect_continue = false;
};

Semantics classify(const std::vector<Header>& headers) {
  Semantics s;
  for (size_t i = 0; i < headers.size(); ++i) {
    const Header& h = headers[i];
    switch (h.name.size()) {
      case 4:
        if (iequals(h.name, "host")) {
          if (s.hosts++ == 0) s.host = i;
        }
        break;
      case 6:
        if (iequals(h.name, "expect")) s.expect_continue |= list_contains(h.value, "100-continue");
        break;
      case 7:
        if (iequals(h.name, "upgrade")) {
          s.upgrade = true;
          s.upgrade_h2c |= list_contains(h.value, "h2c");
        }
        break;
      case 10:
        if (iequals(h.name, "connection")) {
          s.close |= list_contains(h.value, "close");
          s.keep_alive |= list_contains(h.value, "keep-alive");
          s.connection_upgrade |= list_contains(h.value, "upgrade");
        }
        break;
      case 14:
        if (iequals(h.name, "content-length")) {
          if (s.content_lengths++ == 0) {
            s.content_length = i;
          } else if (h.value != headers[s.content_length].value) {
            s.content_lengths_differ = true;
          }
        }
        break;
      case 17:
        if (iequals(h.name, "transfer-encoding")) {
          if (s.transfer_encodings++ == 0) s.transfer_encoding = i;
        }
        break;
      default:
        break;
    }
  }
  return s;
}

bool keep_alive_for(Version v, const Semantics& s) {
  if (s.close) return false;
  return v == Version::http11 || s.keep_alive;
}

struct Step {
  ParseStatus status = ParseStatus::done;
  Refusal refusal = Refusal::none;
};

Step refuse(Refusal r) {
  return {ParseStatus::refused, r};
}

// Reads header lines from `pos` up to and including the blank line that ends the head.
Step parse_fields(std::string_view buf, size_t& pos, const HeadLimits& limits,
                  std::vector<Header>& headers) {
  while (true) {
    const Line line = find_line(buf.substr(pos), kUnlimited, limits.max_head_bytes - pos);
    switch (line.end) {
      case LineEnd::found:
        break;
      case LineEnd::need_more:
        return {ParseStatus::need_more, Refusal::none};
      case LineEnd::too_long:
      case LineEnd::over_budget:
        return refuse(Refusal::headers_too_large);
      case LineEnd::bare_lf:
        return refuse(Refusal::bare_lf);
    }
    pos += line.length;
    if (line.content.empty()) return {};
    if (headers.size() >= limits.max_headers) return refuse(Refusal::too_many_headers);
    Header h;
    if (const Refusal r = parse_field_line(line.content, h); r != Refusal::none) return refuse(r);
    headers.push_back(h);
  }
}

// Judges the start of a request line before its end arrives, so that a client speaking another
// protocol (a TLS ClientHello starts with 0x16) is refused at once instead of waiting for the
// header timeout. Only the first `scan` bytes are looked at: the same bytes that the line limits
// allow, so that no prefix gets a different refusal from a longer one (a method longer than the
// request line limit is too long, whatever follows it). Every verdict here is final for any
// continuation, and it agrees with what the complete line would get.
Refusal request_line_start(std::string_view rest, size_t scan) {
  if (rest.empty()) return Refusal::none;
  const size_t n = std::min(rest.size(), scan);
  size_t i = 0;
  while (i < n && chars::is(rest[i], chars::kTchar)) ++i;
  if (i == n) return Refusal::none;  // a method so far, or nothing to judge yet
  const char c = rest[i];
  if (c == ' ') return i == 0 ? Refusal::bad_request_line : Refusal::none;
  if (c == '\n') return Refusal::none;  // a bare LF, which the line framing refuses
  if (c == '\r') {
    // CRLF is an empty line before the request line, or the end of a line that is only a method
    // (refused in full). A CR followed by anything else is a bare CR.
    if (i + 1 >= n || rest[i + 1] == '\n') return Refusal::none;
    return Refusal::bad_request_line;
  }
  return i == 0 ? Refusal::not_http : Refusal::bad_method;
}

Refusal parse_request_line(std::string_view line, RequestHead& out) {
  if (std::memchr(line.data(), '\r', line.size()) != nullptr) return Refusal::bad_request_line;
  const size_t sp1 = line.find(' ');
  if (sp1 == 0 || sp1 == std::string_view::npos) return Refusal::bad_request_line;
  out.method = line.substr(0, sp1);
  for (char c : out.method) {
    if (!chars::is(c, chars::kTchar)) return Refusal::bad_method;
  }
  const size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == sp1 + 1 || sp2 == std::string_view::npos) return Refusal::bad_request_line;
  out.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  switch (parse_version(line.substr(sp2 + 1), out.version)) {
    case VersionCheck::ok:
      return Refusal::none;
    case VersionCheck::unsupported:
      return Refusal::unsupported_version;
    case VersionCheck::malformed:
      break;
  }
  return Refusal::bad_request_line;
}

Refusal request_host(const Target& target, const Semantics& s, RequestHead& out) {
  if (s.hosts > 1) return Refusal::repeated_host;
  if (s.hosts == 1) {
    out.host = out.headers[s.host].value;
    if (!valid_authority(out.host)) return Refusal::bad_host;
  } else if (out.version == Version::http11) {
    return Refusal::missing_host;
  }
  if (target.absolute_form) {
    if (s.hosts == 0) {
      out.host = target.authority;
    } else if (!iequals(target.authority, out.host)) {
      return Refusal::target_host_mismatch;
    }
  }
  return Refusal::none;
}

// A Content-Length of 0 gives Framing::none: there is no body to wait for. The header itself
// stays in `headers`, so it is still forwarded.
Refusal request_framing(const Semantics& s, const HeadLimits& limits, RequestHead& out) {
  if (s.transfer_encodings > 0 && s.content_lengths > 0) {
    return Refusal::content_length_and_chunked;
  }
  if (s.transfer_encodings > 0) {
    if (out.version != Version::http11 || s.transfer_encodings > 1 ||
        !iequals(out.headers[s.transfer_encoding].value, "chunked")) {
      return Refusal::unsupported_transfer_coding;
    }
    out.framing = Framing::chunked;
    return Refusal::none;
  }
  if (s.content_lengths > 0) {
    if (s.content_lengths > 1 ||
        !parse_content_length(out.headers[s.content_length].value, out.content_length)) {
      return Refusal::bad_content_length;
    }
    if (out.content_length > limits.max_body_bytes) return Refusal::body_too_large;
    if (out.content_length > 0) out.framing = Framing::content_length;
  }
  return Refusal::none;
}

Refusal response_framing(const Semantics& s, std::string_view request_method, ResponseHead& out) {
  if (s.transfer_encodings > 0 && s.content_lengths > 0) return Refusal::bad_response_framing;
  uint64_t length = 0;
  if (s.transfer_encodings > 0 && (out.version != Version::http11 || s.transfer_encodings > 1 ||
                                   !iequals(out.headers[s.transfer_encoding].value, "chunked"))) {
    return Refusal::bad_response_framing;
  }
  if (s.content_lengths > 0 &&
      (s.content_lengths_differ ||
       !parse_content_length(out.headers[s.content_length].value, length))) {
    return Refusal::bad_response_framing;
  }
  const bool no_body =
      request_method == "HEAD" || out.status < 200 || out.status == 204 || out.status == 304;
  if (no_body) {
    out.framing = Framing::none;
  } else if (s.transfer_encodings > 0) {
    out.framing = Framing::chunked;
  } else if (s.content_lengths > 0) {
    out.content_length = length;
    out.framing = length > 0 ? Framing::content_length : Framing::none;
  } else {
    out.framing = Framing::until_close;
  }
  return Refusal::none;
}

// "HTTP/1.x SP 3DIGIT [SP reason]". A missing " reason" is accepted: it is unambiguous and some
// servers omit it.
Refusal parse_status_line(std::string_view line, ResponseHead& out) {
  if (line.size() < 12 || parse_version(line.substr(0, 8), out.version) != VersionCheck::ok ||
      line[8] != ' ') {
    return Refusal::bad_status_line;
  }
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (!chars::is(line[i], chars::kDigit)) return Refusal::bad_status_line;
    status = status * 10 + (line[i] - '0');
  }
  if (status < 100 || status > 599) return Refusal::bad_status_line;
  out.status = status;
  if (line.size() == 12) return Refusal::none;
  if (line[12] != ' ') return Refusal::bad_status_line;
  out.reason = line.substr(13);
  for (char c : out.reason) {
    if (!chars::is(c, chars::kFieldChar)) return Refusal::bad_status_line;
  }
  return Refusal::none;
}

ParseResult result(Step step, size_t consumed) {
  if (step.status == ParseStatus::refused) return {ParseStatus::refused, 0, step.refusal};
  if (step.status == ParseStatus::need_more) return {};
  return {ParseStatus::done, consumed, Refusal::none};
}

void reset(RequestHead& out) {
  out.method = out.target = out.path = out.query = out.host = {};
  out.version = Version::http11;
  out.headers.clear();
  out.framing = Framing::none;
  out.content_length = 0;
  out.keep_alive = true;
  out.expect_continue = false;
  out.upgrade = false;
}

void reset(ResponseHead& out) {
  out.version = Version::http11;
  out.status = 0;
  out.reason = {};
  out.headers.clear();
  out.framing = Framing::none;
  out.content_length = 0;
  out.keep_alive = true;
}

Step request_head(std::string_view buf, const HeadLimits& limits, RequestHead& out, size_t& pos) {
  Line line;
  // Empty lines before the request line are tolerated (RFC 9112 section 2.2) but count towards
  // the head size, so that a stream of CRLFs is bounded too.
  do {
    pos += line.length;
    const size_t budget = limits.max_head_bytes - pos;
    const Refusal start =
        request_line_start(buf.substr(pos), std::min(limits.max_request_line, budget) + 1);
    if (start != Refusal::none) return refuse(start);
    line = find_line(buf.substr(pos), limits.max_request_line, budget);
    switch (line.end) {
      case LineEnd::found:
        break;
      case LineEnd::need_more:
        return {ParseStatus::need_more, Refusal::none};
      case LineEnd::too_long:
        return refuse(Refusal::request_line_too_long);
      case LineEnd::over_budget:
        return refuse(Refusal::headers_too_large);
      case LineEnd::bare_lf:
        return refuse(Refusal::bare_lf);
    }
  } while (line.content.empty());
  pos += line.length;
  if (const Refusal r = parse_request_line(line.content, out); r != Refusal::none) return refuse(r);
  Target target;
  if (const Refusal r = parse_target(out.target, target); r != Refusal::none) return refuse(r);
  out.path = target.path;
  out.query = target.query;

  if (const Step s = parse_fields(buf, pos, limits, out.headers); s.status != ParseStatus::done) {
    return s;
  }
  const Semantics s = classify(out.headers);
  if (const Refusal r = request_host(target, s, out); r != Refusal::none) return refuse(r);
  if (const Refusal r = request_framing(s, limits, out); r != Refusal::none) return refuse(r);
  const bool http11 = out.version == Version::http11;
  out.keep_alive = keep_alive_for(out.version, s);
  // HTTP/1.0 recipients must ignore both (RFC 9110 sections 7.8 and 10.1.1).
  out.expect_continue = http11 && s.expect_continue;
  out.upgrade = http11 && s.connection_upgrade && s.upgrade && !s.upgrade_h2c;
  return {};
}

Step response_head(std::string_view buf, const HeadLimits& limits, std::string_view request_method,
                   ResponseHead& out, size_t& pos) {
  const Line line = find_line(buf, limits.max_request_line, limits.max_head_bytes);
  switch (line.end) {
    case LineEnd::found:
      break;
    case LineEnd::need_more:
      return {ParseStatus::need_more, Refusal::none};
    case LineEnd::too_long:
    case LineEnd::over_budget:
      return refuse(Refusal::headers_too_large);
    case LineEnd::bare_lf:
      return refuse(Refusal::bare_lf);
  }
  pos = line.length;
  if (const Refusal r = parse_status_line(line.content, out); r != Refusal::none) return refuse(r);
  if (const Step s = parse_fields(buf, pos, limits, out.headers); s.status != ParseStatus::done) {
    return s;
  }
  const Semantics s = classify(out.headers);
  if (const Refusal r = response_framing(s, request_method, out); r != Refusal::none) {
    return refuse(r);
  }
  out.keep_alive = out.framing != Framing::until_close && keep_alive_for(out.version, s);
  return {};
}

}  // namespace

ParseResult parse_request_head(std::string_view buf, const HeadLimits& limits, RequestHead& out) {
  reset(out);
  size_t pos = 0;
  const Step step = request_head(buf, limits, out, pos);
  return result(step, pos);
}

ParseResult parse_response_head(std::string_view buf, const HeadLimits& limits,
                                std::string_view request_method, ResponseHead& out) {
  reset(out);
  size_t pos = 0;
  const Step step = response_head(buf, limits, request_method, out, pos);
  return result(step, pos);
}

}  // namespace fathom::http
