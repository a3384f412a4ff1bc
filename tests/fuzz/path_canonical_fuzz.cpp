// The path canonicalizer's properties on arbitrary targets: every target parse_target accepts has
// a canonical path that decodes to the same bytes as the original, is itself accepted, and is a
// fixed point (canonicalizing it again changes nothing). Any broken property traps.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/path_canonical.h"
#include "http/target.h"

namespace {

using namespace fathom::http;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Target target;
  if (parse_target(input, target) != Refusal::none) return 0;
  std::string canonical;
  if (canonicalize_path(target.path, canonical)) canonical.assign(target.path);
  check(canonical.size() <= target.path.size());
  check(percent_decode(canonical) == percent_decode(target.path));
  std::string twice;
  check(canonicalize_path(canonical, twice));
  Target again;
  check(parse_target(canonical, again) == Refusal::none);
  check(again.path == canonical);
  return 0;
}
