// One stored audit event: a line of JSON in a segment file, in one canonical layout.
//
//   {"seq":42,"prev_hash":"<64 hex>","event_id":"evt_0000000000000042","time":1700000000,
//    "token_id":"tok_…","kind":"request", then the other fields that are not empty, in the order
//    of AuditEvent, and "status" when it is not 0}
//
// `prev_hash` is the hex SHA-256 of the previous stored line's bytes, without its newline; the
// first event ever has 64 zeros. The layout is canonical: a line is valid only if encoding what
// it holds gives back the same bytes, so no edit (a space, a reordered key, a duplicate) can
// leave an event readable yet different from what the chain vouches for. The fixed prefix (seq,
// prev_hash, event_id, time, token_id) lets the index be built without a JSON parser.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fathom/audit.h"

namespace fathom::audit {

inline constexpr size_t kHashHexChars = 64;

struct StoredEvent {
  uint64_t seq = 0;
  std::string prev_hash;
  AuditEvent event;  // event_id filled in
};

// What the index needs of a line. The token id points into the line unless it had to be
// unescaped.
struct LineKey {
  uint64_t seq = 0;
  UnixTime time = 0;
  std::string_view token_id_in_line;
  std::optional<std::string> token_id_unescaped;

  std::string_view token_id() const {
    return token_id_unescaped ? std::string_view(*token_id_unescaped) : token_id_in_line;
  }
};

// "evt_" + the sequence number as 16 decimal digits.
std::string event_id_for(uint64_t seq);

// The hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);
const std::string& zero_hash();

// Appends the stored line (without a newline) for `event` to `out`. Invalid UTF-8 in the
// event's strings is replaced by U+FFFD, so that every line is valid JSON.
void append_stored_line(std::string& out, uint64_t seq, std::string_view prev_hash,
                        const AuditEvent& event);

// Parses and checks one line (without its newline): valid JSON in the canonical layout.
// nullopt, with `why` set, when it is not.
std::optional<StoredEvent> parse_stored_line(std::string_view line, std::string* why = nullptr);

// Reads seq, time and token_id from the line's fixed prefix, falling back to the full parser
// when the prefix is not the plain canonical one (an escaped token id). Whenever
// parse_stored_line accepts a line, this gives the same values; it checks less than that.
std::optional<LineKey> scan_line_key(std::string_view line);

}  // namespace fathom::audit
