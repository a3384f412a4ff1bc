// Request bodies are parsed without exceptions (nlohmann's allow_exceptions=false) and every
// field is checked by hand, so each refusal can say exactly which field is wrong and why.

#include "token_requests.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

#include "body_fields.h"
#include "rfc3339.h"

namespace fathom::admin {

namespace {

using Json = nlohmann::json;

constexpr std::string_view kMintExample = R"({"name": "ci-deploy", "scopes": ["lake:read"]})";

// Decodes one UTF-8 sequence at `pos`, strictly: no overlong forms, no surrogates, nothing past
// U+10FFFF. Returns the code point, or -1.
int32_t next_code_point(std::string_view s, size_t& pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(pos);
  size_t extra = 0;
  int32_t cp = 0;
  int32_t min = 0;
  if (lead < 0x80) {
    ++pos;
    return lead;
  } else if ((lead & 0xE0) == 0xC0) {
    extra = 1, cp = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2, cp = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3, cp = lead & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (pos + extra >= s.size()) return -1;
  for (size_t i = 1; i <= extra; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (byte(pos + i) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  pos += extra + 1;
  return cp;
}

// Characters that would make a name print as something other than what it is: controls (C0, DEL,
// C1), and the invisible ones that reorder or hide text. Joiners (U+200C, U+200D) stay allowed:
// emoji sequences and several scripts need them.
bool is_unprintable(int32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x200B || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) ||
         (cp >= 0x2066 && cp <= 0x206F) || cp == 0xFEFF;
}

std::string check_expiry(const Json& body, UnixTime now, std::optional<UnixTime>& expires_at) {
  const auto in = body.find("expires_in");
  const auto at = body.find("expires_at");
  // null reads as "not given": clients that serialise optional fields as null mean no expiry.
  const bool has_in = in != body.end() && !in->is_null();
  const bool has_at = at != body.end() && !at->is_null();
  if (has_in && has_at) {
    return "expires_in: cannot be combined with expires_at; send one of them, or neither for a "
           "token that lasts until revoked.";
  }
  if (has_in) {
    int64_t seconds = 0;
    if (!whole_number_in(*in, 1, kMaxExpiresIn, seconds)) {
      return "expires_in: must be a whole number of seconds from 1 to 315360000 (ten years).";
    }
    expires_at = now + seconds;
  }
  if (has_at) {
    std::optional<UnixTime> when;
    if (at->is_string()) when = parse_time(at->get_ref<const std::string&>());
    if (!when) return "expires_at: must be an RFC 3339 time such as \"2030-01-01T00:00:00Z\".";
    if (*when <= now) return "expires_at: must be in the future.";
    // The same ceiling as expires_in, so the two ways of saying it allow the same tokens.
    if (*when - now > kMaxExpiresIn) return "expires_at: must be at most ten years from now.";
    expires_at = when;
  }
  return {};
}

}  // namespace

Parsed<MintRequest> parse_mint_request(std::string_view body, UnixTime now) {
  Parsed<MintRequest> out;
  std::optional<Json> json = parse_object(body, false, kMintExample, out.error);
  if (!json) return out;
  out.error = check_known_fields(*json, {"name", "scopes", "expires_in", "expires_at"},
                                 "name, scopes, and expires_in or expires_at");
  if (!out.ok()) return out;
  const auto field = [&](const char* key) -> const Json* {
    auto it = json->find(key);
    return it == json->end() ? nullptr : &*it;
  };
  out.error = check_name(field("name"));
  if (!out.ok()) return out;
  out.value.name = (*json)["name"].get<std::string>();
  out.error = check_scopes(field("scopes"), out.value.scopes);
  if (!out.ok()) return out;
  out.error = check_expiry(*json, now, out.value.expires_at);
  return out;
}

Parsed<RotateRequest> parse_rotate_request(std::string_view body) {
  Parsed<RotateRequest> out;
  std::optional<Json> json = parse_object(body, true, R"({"grace_seconds": 3600})", out.error);
  if (!json) return out;
  out.error = check_known_fields(*json, {"grace_seconds"}, "only grace_seconds");
  if (!out.ok()) return out;
  auto it = json->find("grace_seconds");
  if (it != json->end() && !it->is_null()) {
    int64_t grace = 0;
    if (!whole_number_in(*it, 0, kMaxGraceSeconds, grace)) {
      return {{},
              "grace_seconds: must be a whole number of seconds from 0 to 2592000 (thirty "
              "days)."};
    }
    out.value.grace_seconds = grace;
  }
  return out;
}

Parsed<StatusFilter> parse_list_query(std::string_view query) {
  Parsed<StatusFilter> out{StatusFilter::active, {}};
  bool seen_status = false;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2" and a trailing "&" are harmless
    const size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    if (key != "status") {
      out.error = shown_key(key) +
                  ": unknown query parameter; /v1/tokens takes only "
                  "status=active|revoked|expired|all.";
      return out;
    }
    if (seen_status) {
      out.error = "status: give it once, as one of active, revoked, expired or all.";
      return out;
    }
    seen_status = true;
    if (value == "active") {
      out.value = StatusFilter::active;
    } else if (value == "revoked") {
      out.value = StatusFilter::revoked;
    } else if (value == "expired") {
      out.value = StatusFilter::expired;
    } else if (value == "all") {
      out.value = StatusFilter::all;
    } else {
      out.error = "status: must be active, revoked, expired or all.";
      return out;
    }
  }
  return out;
}

bool status_matches(StatusFilter filter, const TokenRecord& record, UnixTime now) {
  switch (filter) {
    case StatusFilter::active:
      return record.active(now);
    case StatusFilter::revoked:
      return record.revoked();
    case StatusFilter::expired:
      return record.expired(now);
    case StatusFilter::all:
      return true;
  }
  return false;
}

bool is_valid_scope(std::string_view scope) {
  if (scope.empty() || scope.size() > kMaxScopeLength) return false;
  const auto lower_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (scope[0] < 'a' || scope[0] > 'z') return false;
  const size_t colon = scope.find(':');
  const std::string_view head = scope.substr(0, colon);
  for (char c : head) {
    if (!lower_digit(c) && c != '_' && c != '-') return false;
  }
  if (colon == std::string_view::npos) return true;
  const std::string_view qualifier = scope.substr(colon + 1);
  if (qualifier.empty()) return false;
  return std::all_of(qualifier.begin(), qualifier.end(), [&](char c) {
    return lower_digit(c) || c == '_' || c == '*' || c == '.' || c == '-';
  });
}

bool is_valid_token_name(std::string_view name) {
  size_t chars = 0;
  bool only_spaces = true;
  for (size_t pos = 0; pos < name.size();) {
    const int32_t cp = next_code_point(name, pos);
    if (cp < 0 || is_unprintable(cp)) return false;
    if (cp != ' ') only_spaces = false;
    if (++chars > kMaxNameChars) return false;
  }
  return chars > 0 && !only_spaces;
}

bool is_token_id(std::string_view id) {
  if (!id.starts_with("tok_")) return false;
  const std::string_view rest = id.substr(4);
  if (rest.empty() || rest.size() > 64) return false;
  return std::all_of(rest.begin(), rest.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  });
}

const std::string* missing_scope(const Identity& caller, const std::vector<std::string>& scopes) {
  for (const std::string& scope : scopes) {
    if (!caller.has_scope(scope)) return &scope;
  }
  return nullptr;
}

const std::string* authority_lacking(const Identity& caller, const TokenRecord& target) {
  // Ending oneself takes no authority, whatever the scopes the caller was authenticated with.
  if (caller.token_id == target.token_id) return nullptr;
  return missing_scope(caller, target.scopes);
}

}  // namespace fathom::admin
