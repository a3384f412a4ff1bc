// Feeds arbitrary bytes to the audit log's stored-line parser, its fast key scan and the cursor
// decoder. None may crash, and their answers must agree: a line the parser accepts re-encodes to
// the same bytes and scans to the same key; a cursor that decodes re-encodes to itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "audit/audit_cursor.h"
#include "audit/stored_line.h"

namespace {

using namespace fathom::audit;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  std::string why;
  const std::optional<StoredEvent> stored = parse_stored_line(in, &why);
  const std::optional<LineKey> key = scan_line_key(in);
  if (stored) {
    std::string again;
    append_stored_line(again, stored->seq, stored->prev_hash, stored->event);
    check(again == in);
    check(key && key->seq == stored->seq && key->time == stored->event.time &&
          key->token_id() == stored->event.token_id);
  } else {
    check(!why.empty());
  }

  if (const std::optional<uint64_t> seq = decode_cursor(in)) {
    check(*seq != 0 && encode_cursor(*seq) == in);
  }

  // Whatever the bytes, an event carrying them as text fields encodes to a line that parses back.
  fathom::AuditEvent e;
  e.kind = "request";
  e.token_id = std::string(in.substr(0, size / 2));
  e.user_agent = std::string(in.substr(size / 2));
  e.time = static_cast<fathom::UnixTime>(size) - 5;
  std::string line;
  append_stored_line(line, size + 1, zero_hash(), e);
  const std::optional<StoredEvent> back = parse_stored_line(line);
  check(back.has_value() && back->seq == size + 1);
  if (back) {
    const std::optional<LineKey> back_key = scan_line_key(line);
    check(back_key && back_key->token_id() == back->event.token_id);
  }
  return 0;
}
