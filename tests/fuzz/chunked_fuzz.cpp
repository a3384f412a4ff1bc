// Decodes arbitrary bytes as a chunked body, in one piece and split in several ways, and traps if
// the splits disagree on the payload, the outcome or the bytes consumed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/chunked.h"
#include "http/serialize.h"

namespace {

using namespace fathom::http;
using Kind = ChunkedDecoder::Kind;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct Outcome {
  Kind kind = Kind::need_more;
  Refusal refusal = Refusal::none;
  std::string payload;
  size_t consumed = 0;

  bool operator==(const Outcome&) const = default;
};

// Offers `grow` more bytes on each need_more (everything at once when grow is 0), as a socket
// would deliver them.
Outcome decode(std::string_view in, size_t grow, size_t max_line, size_t max_trailers) {
  ChunkedDecoder d(max_line, max_trailers);
  Outcome out;
  size_t offered = grow == 0 ? in.size() : std::min(grow, in.size());
  while (true) {
    const std::string_view front = in.substr(out.consumed, offered - out.consumed);
    const ChunkedDecoder::Step step = d.next(front);
    check(step.length <= front.size());
    check((step.kind == Kind::refused) == (step.refusal != Refusal::none));
    switch (step.kind) {
      case Kind::need_more:
        check(step.length == 0);
        if (offered == in.size()) return out;
        offered = std::min(in.size(), offered + grow);
        continue;
      case Kind::data:
        check(step.length > 0);
        out.payload.append(front.substr(0, step.length));
        break;
      case Kind::framing:
        check(step.length > 0 && !d.finished());
        break;
      case Kind::done:
        check(step.length > 0 && d.finished());
        out.consumed += step.length;
        out.kind = Kind::done;
        check(d.payload_bytes() == out.payload.size());
        return out;
      case Kind::refused:
        check(step.length == 0 && !d.finished());
        out.kind = Kind::refused;
        out.refusal = step.refusal;
        return out;
    }
    out.consumed += step.length;
    offered = std::max(offered, out.consumed);
  }
}

void check_splits(std::string_view in, size_t max_line, size_t max_trailers) {
  const Outcome whole = decode(in, 0, max_line, max_trailers);
  check(decode(in, 1, max_line, max_trailers) == whole);
  check(decode(in, 7, max_line, max_trailers) == whole);
  if (whole.kind != Kind::done) return;
  // What was decoded, encoded again as one chunk, decodes to the same payload.
  std::string again;
  if (!whole.payload.empty()) {
    append_chunk_size(again, whole.payload.size());
    again.append(whole.payload).append("\r\n");
  }
  again.append("0\r\n\r\n");
  const Outcome round = decode(again, 0, 4096, 2);
  check(round.kind == Kind::done && round.payload == whole.payload);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check_splits(in, 4096, 32 * 1024);
  check_splits(in, 12, 40);
  return 0;
}
