#include "audit/anchor.h"

#include <nlohmann/json.hpp>

#include "audit/audit_error.h"
#include "audit/stored_line.h"

namespace fathom::audit {

std::optional<Anchor> read_anchor(const std::filesystem::path& dir) {
  const std::filesystem::path file = dir / kAnchorFile;
  std::string bytes;
  if (!read_whole_file(file, bytes)) return std::nullopt;
  const nlohmann::json j = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  const auto damaged = [&](const char* why) {
    return AuditError(file.string() + ": damaged prune anchor: " + why);
  };
  if (!j.is_object()) throw damaged("not a JSON object");
  Anchor a;
  const auto seq = j.find("first_seq");
  if (seq == j.end() || !seq->is_number_unsigned() || seq->get<uint64_t>() < 2) {
    throw damaged("first_seq is missing or not an integer above 1");
  }
  a.first_seq = seq->get<uint64_t>();
  const auto hash = j.find("prev_hash");
  if (hash == j.end() || !hash->is_string() ||
      hash->get_ref<const std::string&>().size() != kHashHexChars) {
    throw damaged("prev_hash is missing or not 64 hex digits");
  }
  a.prev_hash = hash->get<std::string>();
  const auto at = j.find("pruned_at");
  if (at != j.end() && at->is_number_integer()) a.pruned_at = at->get<UnixTime>();
  return a;
}

void write_anchor(const std::filesystem::path& dir, const Anchor& anchor, const SyncFn& sync) {
  const nlohmann::json j = {{"first_seq", anchor.first_seq},
                            {"prev_hash", anchor.prev_hash},
                            {"pruned_at", anchor.pruned_at}};
  replace_file(dir, kAnchorFile, j.dump() + "\n", sync);
}

}  // namespace fathom::audit
