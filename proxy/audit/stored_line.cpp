#include "audit/stored_line.h"

#include <openssl/evp.h>

#include <charconv>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

namespace fathom::audit {
namespace {

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF), or 0 when the bytes there are not one.
size_t utf8_sequence_length(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

void append_string(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = utf8_sequence_length(s, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

void append_field(std::string& out, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  out += ",\"";
  out += key;
  out += "\":";
  append_string(out, value);
}

template <typename Int>
void append_int(std::string& out, Int value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool fail(std::string* why, const char* text) {
  if (why) *why = text;
  return false;
}

// A cursor over the line's fixed prefix; every step fails on anything but the canonical bytes.
struct PrefixReader {
  std::string_view s;
  size_t pos = 0;

  bool literal(std::string_view lit) {
    if (s.substr(pos, lit.size()) != lit) return false;
    pos += lit.size();
    return true;
  }
  // JSON digits: no leading zero, no sign unless `allow_minus`.
  template <typename Int>
  bool integer(Int& value, bool allow_minus) {
    size_t start = pos;
    if (allow_minus && pos < s.size() && s[pos] == '-') ++pos;
    size_t digits = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == digits || (s[digits] == '0' && pos - digits > 1)) return false;
    if (s.substr(start, pos - start) == "-0") return false;
    auto [end, ec] = std::from_chars(s.data() + start, s.data() + pos, value);
    return ec == std::errc() && end == s.data() + pos;
  }
};

}  // namespace

std::string event_id_for(uint64_t seq) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "evt_%016llu", static_cast<unsigned long long>(seq));
  return buf;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

const std::string& zero_hash() {
  static const std::string zeros(kHashHexChars, '0');
  return zeros;
}

void append_stored_line(std::string& out, uint64_t seq, std::string_view prev_hash,
                        const AuditEvent& e) {
  out += "{\"seq\":";
  append_int(out, seq);
  out += ",\"prev_hash\":\"";
  out += prev_hash;
  out += "\",\"event_id\":\"";
  out += event_id_for(seq);
  out += "\",\"time\":";
  append_int(out, e.time);
  out += ",\"token_id\":";
  append_string(out, e.token_id);
  out += ",\"kind\":";
  append_string(out, e.kind);
  append_field(out, "actor_token_id", e.actor_token_id);
  append_field(out, "method", e.method);
  append_field(out, "path", e.path);
  if (e.status != 0) {
    out += ",\"status\":";
    append_int(out, e.status);
  }
  append_field(out, "client", e.client);
  append_field(out, "user_agent", e.user_agent);
  append_field(out, "request_id", e.request_id);
  append_field(out, "client_request_id", e.client_request_id);
  append_field(out, "pair_code_id", e.pair_code_id);
  append_field(out, "detail", e.detail);
  out += '}';
}

std::optional<StoredEvent> parse_stored_line(std::string_view line, std::string* why) {
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return fail(why, "the line is not valid JSON"), std::nullopt;
  if (!j.is_object()) return fail(why, "the line is not a JSON object"), std::nullopt;

  StoredEvent out;
  const auto seq = j.find("seq");
  if (seq == j.end() || !seq->is_number_unsigned() || seq->get<uint64_t>() == 0) {
    return fail(why, "seq is missing or not a positive integer"), std::nullopt;
  }
  out.seq = seq->get<uint64_t>();
  const auto prev = j.find("prev_hash");
  if (prev == j.end() || !prev->is_string() ||
      prev->get_ref<const std::string&>().size() != kHashHexChars ||
      !is_lower_hex(prev->get_ref<const std::string&>())) {
    return fail(why, "prev_hash is missing or not 64 lowercase hex digits"), std::nullopt;
  }
  out.prev_hash = prev->get<std::string>();
  const auto time = j.find("time");
  if (time == j.end() || !time->is_number_integer()) {
    return fail(why, "time is missing or not an integer"), std::nullopt;
  }
  if (time->is_number_unsigned() &&
      time->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<UnixTime>::max())) {
    return fail(why, "time is out of range"), std::nullopt;
  }
  out.event.time = time->get<UnixTime>();
  const auto status = j.find("status");
  if (status != j.end()) {
    if (!status->is_number_integer() || status->get<int64_t>() < 1 ||
        status->get<int64_t>() > 999) {
      return fail(why, "status is not an HTTP status"), std::nullopt;
    }
    out.event.status = static_cast<int>(status->get<int64_t>());
  }
  struct StringField {
    const char* key;
    std::string* target;
  };
  AuditEvent& e = out.event;
  for (const StringField& f : {StringField{"event_id", &e.event_id},
                               {"token_id", &e.token_id},
                               {"kind", &e.kind},
                               {"actor_token_id", &e.actor_token_id},
                               {"method", &e.method},
                               {"path", &e.path},
                               {"client", &e.client},
                               {"user_agent", &e.user_agent},
                               {"request_id", &e.request_id},
                               {"client_request_id", &e.client_request_id},
                               {"pair_code_id", &e.pair_code_id},
                               {"detail", &e.detail}}) {
    const auto it = j.find(f.key);
    if (it == j.end()) continue;
    if (!it->is_string()) return fail(why, "a text field is not a string"), std::nullopt;
    *f.target = it->get<std::string>();
  }
  if (e.kind.empty()) return fail(why, "kind is missing"), std::nullopt;
  if (e.event_id != event_id_for(out.seq)) {
    return fail(why, "event_id does not match seq"), std::nullopt;
  }

  std::string canonical;
  canonical.reserve(line.size());
  append_stored_line(canonical, out.seq, out.prev_hash, e);
  if (canonical != line) {
    return fail(why, "the line is not in the log's own layout (extra, missing or reordered bytes)"),
           std::nullopt;
  }
  return out;
}

std::optional<LineKey> scan_line_key(std::string_view line) {
  PrefixReader r{line};
  LineKey key;
  bool plain = r.literal("{\"seq\":") && r.integer(key.seq, false) && key.seq != 0 &&
               r.literal(",\"prev_hash\":\"") && line.size() >= r.pos + kHashHexChars &&
               is_lower_hex(line.substr(r.pos, kHashHexChars));
  if (plain) {
    r.pos += kHashHexChars;
    plain = r.literal("\",\"event_id\":\"") && r.literal(event_id_for(key.seq)) &&
            r.literal("\",\"time\":") && r.integer(key.time, true) && r.literal(",\"token_id\":\"");
  }
  if (plain) {
    size_t start = r.pos;
    while (r.pos < line.size()) {
      const auto c = static_cast<unsigned char>(line[r.pos]);
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
      ++r.pos;
    }
    plain = r.pos < line.size() && line[r.pos] == '"' && r.pos + 1 < line.size() &&
            line[r.pos + 1] == ',';
    key.token_id_in_line = line.substr(start, r.pos - start);
  }
  if (plain) return key;

  std::optional<StoredEvent> full = parse_stored_line(line);
  if (!full) return std::nullopt;
  LineKey slow;
  slow.seq = full->seq;
  slow.time = full->event.time;
  slow.token_id_unescaped = std::move(full->event.token_id);
  return slow;
}

}  // namespace fathom::audit
