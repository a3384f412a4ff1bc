// The Lua scripts that hold the store's rules inside Redis, so that each check and its change are
// one atomic step for every instance on the server (Redis runs one script at a time).
//
// Every script takes ARGV[1] = the key prefix, builds its key names from it (so Redis Cluster is
// not supported; a single primary, with Sentinel or a managed service for failover, is), and
// first checks that <prefix>meta still says `initialized`: a Redis that lost its data answers
// {"lost"} instead of "no such token".
//
// Replies are arrays of strings: {status, message, token json, created json, pair code json,
// invalidated token_id, invalidated secret_hash, cancelled pair codes (json, one a line)};
// trailing elements may be absent. status is one
// of ok, not_found, conflict, invalid_grant, lost; list replies are {"ok", json, json, ...}.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fathom::store_redis {

enum class Script : uint8_t {
  open,  // ARGV: fingerprint, seen ("1" if this instance saw the meta before), format version
  find_by_hash,      // ARGV: secret hash
  get,               // ARGV: token id
  list,              // no ARGV
  create,            // ARGV: token json
  revoke,            // ARGV: token id, now, origin, pair code retention seconds
  expire,            // ARGV: token id, now, origin, pair code retention seconds
  rotate,            // ARGV: old id, replacement json, old_expires_at or "", origin
  touch,             // ARGV: token id, when, token id, when, ...
  list_pair_codes,   // ARGV: now
  create_pair_code,  // ARGV: code json, retention seconds
  cancel_pair_code,  // ARGV: pair code id, now, retention seconds
  redeem_pair_code,  // ARGV: code hash, token json, retention seconds
};
inline constexpr size_t kScriptCount = 13;

struct ScriptText {
  const char* name;
  std::string body;  // the shared prelude followed by the script
  std::string sha1;  // lowercase hex, for EVALSHA
};

// Built once; index with static_cast<size_t>(Script).
const ScriptText& script(Script which);

}  // namespace fathom::store_redis
