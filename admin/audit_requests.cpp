#include "audit_requests.h"

#include <optional>
#include <string>

#include "body_fields.h"
#include "rfc3339.h"

namespace fathom::admin {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Clients encode ":" as %3A (and a cursor may need escapes), so values are decoded. nullopt for a
// broken escape.
std::optional<std::string> percent_decoded(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      out += value[i];
      continue;
    }
    if (i + 2 >= value.size()) return std::nullopt;
    const int hi = hex_value(value[i + 1]);
    const int lo = hex_value(value[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string check_limit(std::string_view value, size_t& limit) {
  const std::string rule = "limit: must be a whole number from 1 to 1000; the default is 100.";
  if (value.empty() || value.size() > 4) return rule;
  size_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return rule;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  if (n < 1 || n > kMaxAuditLimit) return rule;
  limit = n;
  return {};
}

std::string check_time(std::string_view key, std::string_view value, std::optional<UnixTime>& out) {
  out = parse_time(value);
  if (out) return {};
  return std::string(key) + ": must be an RFC 3339 time such as 2027-01-15T08:00:00Z.";
}

}  // namespace

Parsed<AuditQuery> parse_audit_query(std::string_view query) {
  Parsed<AuditQuery> out;
  out.value.limit = kDefaultAuditLimit;
  bool seen_token = false, seen_since = false, seen_until = false, seen_limit = false,
       seen_cursor = false;
  while (!query.empty() && out.ok()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2" and a trailing "&" are harmless
    const size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::optional<std::string> decoded =
        percent_decoded(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    bool* seen = key == "token_id" ? &seen_token
                 : key == "since"  ? &seen_since
                 : key == "until"  ? &seen_until
                 : key == "limit"  ? &seen_limit
                 : key == "cursor" ? &seen_cursor
                                   : nullptr;
    if (seen == nullptr) {
      out.error = shown_key(key) +
                  ": unknown query parameter; /v1/audit takes token_id, since, until, limit and "
                  "cursor.";
    } else if (*seen) {
      out.error = std::string(key) + ": give it once.";
    } else if (!decoded) {
      out.error = std::string(key) + ": has a broken %-escape.";
    } else if (key == "token_id") {
      // Not echoed: a secret pasted here by mistake must not come back in a message.
      if (!is_token_id(*decoded))
        out.error = "token_id: must be a token id such as tok_3kTq9aZb0Xc1Vd2E.";
      out.value.token_id = *decoded;
    } else if (key == "since") {
      out.error = check_time(key, *decoded, out.value.since);
    } else if (key == "until") {
      out.error = check_time(key, *decoded, out.value.until);
    } else if (key == "limit") {
      out.error = check_limit(*decoded, out.value.limit);
    } else {
      if (decoded->empty()) out.error = "cursor: must be the next_cursor of a previous page.";
      out.value.cursor = *decoded;
    }
    if (seen != nullptr) *seen = true;
  }
  if (out.ok() && out.value.since && out.value.until && *out.value.since >= *out.value.until) {
    out.error = "until: must be later than since (since is inclusive, until exclusive).";
  }
  return out;
}

}  // namespace fathom::admin
