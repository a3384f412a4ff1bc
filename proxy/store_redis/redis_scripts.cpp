#include "store_redis/redis_scripts.h"

#include <openssl/sha.h>

#include <array>

namespace fathom::store_redis {
namespace {

// Shared by every script. Token and pair code values are JSON strings (redis_records.h); a token
// is active while not revoked and not expired at `now`; <prefix>admins holds the ids of tokens
// that hold admin and are not revoked, so the last-admin rule reads only them (a store written
// before the rule counted only `admin` may also list tokens:manage holders: every member is
// checked again, so they are passed over). The rules mirror store/token_ops.cpp and
// store/pair_code_ops.cpp: both stores must answer alike (tests/unit/store_redis conformance).
constexpr const char* kPrelude = R"lua(
local P = ARGV[1]
local function isnull(v) return v == nil or v == false or v == cjson.null end
local function blank(v) return isnull(v) or v == '' end
local function meta_ok() return redis.call('HGET', P .. 'meta', 'initialized') == '1' end
local function active(t, now)
  return isnull(t.revoked_at) and (isnull(t.expires_at) or t.expires_at > now)
end
local function holds(t, scope)
  if type(t.scopes) ~= 'table' then return false end
  for _, s in ipairs(t.scopes) do
    if s == scope or s == 'admin' then return true end
  end
  return false
end
local LASTING = 86400
local function is_admin(t, now) return active(t, now) and holds(t, 'admin') end
local function is_lasting_admin(t, now)
  return is_admin(t, now) and (isnull(t.expires_at) or t.expires_at - now > LASTING)
end
local function load(id)
  local raw = redis.call('GET', P .. 'token:' .. id)
  if not raw then return nil, nil end
  return cjson.decode(raw), raw
end
local function save(t) redis.call('SET', P .. 'token:' .. t.token_id, cjson.encode(t)) end
local function lasting_admin_other_than(id, now)
  for _, other in ipairs(redis.call('SMEMBERS', P .. 'admins')) do
    if other ~= id then
      local t = load(other)
      if t and is_lasting_admin(t, now) then return true end
    end
  end
  return false
end
local function new_token_problem(t)
  if blank(t.token_id) then return 'the new token has no token_id' end
  if blank(t.secret_hash) then return 'the new token has no secret_hash' end
  if redis.call('EXISTS', P .. 'token:' .. t.token_id) == 1 then
    return 'token id ' .. t.token_id .. ' already exists'
  end
  if redis.call('EXISTS', P .. 'hash:' .. t.secret_hash) == 1 then
    return 'a token with that secret hash already exists'
  end
  return nil
end
local function put_new(t)
  save(t)
  redis.call('SET', P .. 'hash:' .. t.secret_hash, t.token_id)
  redis.call('ZADD', P .. 'tokens', t.created_at, t.token_id)
  if holds(t, 'admin') and isnull(t.revoked_at) then redis.call('SADD', P .. 'admins', t.token_id) end
end
local function publish(t, origin)
  redis.call('PUBLISH', P .. 'events', cjson.encode({token_id = t.token_id,
    secret_hash = t.secret_hash, origin = origin}))
end
local function last_admin(id)
  return 'token ' .. id .. ' is the last lasting admin token; mint another admin token without ' ..
    'an expiry (or one more than 24 hours away) first'
end
local function pending(c, now)
  return isnull(c.redeemed_at) and isnull(c.cancelled_at) and now < c.expires_at
end
local function save_code(c) redis.call('SET', P .. 'paircode:' .. c.pair_code_id, cjson.encode(c)) end
-- A finished code is kept `retention` seconds for list and audit questions, then Redis drops it.
local function retire_code(c, retention)
  redis.call('EXPIRE', P .. 'paircode:' .. c.pair_code_id, retention)
  redis.call('EXPIRE', P .. 'paircode_hash:' .. c.code_hash, retention)
end
-- A token that ends takes its pending codes with it, in the same script. A scan of the index,
-- as list_pair_codes makes: codes leave it once Redis drops them. Returns the cancelled codes'
-- JSON joined by newlines (cjson never writes a raw newline), '' for none.
local function cancel_codes_of(creator, now, retention)
  local out = {}
  for _, id in ipairs(redis.call('ZRANGE', P .. 'paircodes', 0, -1)) do
    local raw = redis.call('GET', P .. 'paircode:' .. id)
    if not raw then
      redis.call('ZREM', P .. 'paircodes', id)
    else
      local c = cjson.decode(raw)
      if c.created_by == creator and pending(c, now) then
        c.cancelled_at = now
        save_code(c)
        retire_code(c, retention)
        out[#out + 1] = cjson.encode(c)
      end
    end
  end
  return table.concat(out, '\n')
end
-- A code is worth no more than its creator is now: active, holding every scope of the code.
local function creator_grants(c, now)
  local creator = load(c.created_by)
  if not creator or not active(creator, now) then return false end
  for _, s in ipairs(c.scopes) do
    if not holds(creator, s) then return false end
  end
  return true
end
)lua";

constexpr const char* kOpen = R"lua(
local meta = P .. 'meta'
if redis.call('HGET', meta, 'initialized') == '1' then
  local fp = redis.call('HGET', meta, 'fingerprint')
  if fp ~= ARGV[2] then return {'mismatch', fp or ''} end
  return {'ok'}
end
if redis.call('EXISTS', P .. 'tokens', P .. 'admins', P .. 'paircodes') > 0 then
  return {'marker_lost'}
end
if ARGV[3] == '1' then return {'lost'} end
redis.call('HSET', meta, 'fingerprint', ARGV[2], 'initialized', '1', 'version', ARGV[4])
return {'fresh'}
)lua";

constexpr const char* kFindByHash = R"lua(
if not meta_ok() then return {'lost'} end
local id = redis.call('GET', P .. 'hash:' .. ARGV[2])
if not id then return {'not_found', ''} end
local _, raw = load(id)
if not raw then return {'not_found', ''} end
return {'ok', '', raw}
)lua";

constexpr const char* kGet = R"lua(
if not meta_ok() then return {'lost'} end
local _, raw = load(ARGV[2])
if not raw then return {'not_found', ''} end
return {'ok', '', raw}
)lua";

// Ties in created_at come back by id, as the file store orders them.
constexpr const char* kList = R"lua(
if not meta_ok() then return {'lost'} end
local out = {'ok'}
for _, id in ipairs(redis.call('ZRANGE', P .. 'tokens', 0, -1)) do
  local _, raw = load(id)
  if raw then out[#out + 1] = raw end
end
return out
)lua";

constexpr const char* kCreate = R"lua(
if not meta_ok() then return {'lost'} end
local t = cjson.decode(ARGV[2])
local problem = new_token_problem(t)
if problem then return {'conflict', problem} end
put_new(t)
return {'ok', '', cjson.encode(t)}
)lua";

constexpr const char* kRevoke = R"lua(
if not meta_ok() then return {'lost'} end
local id, now = ARGV[2], tonumber(ARGV[3])
local t, raw = load(id)
if not t then return {'not_found', 'no token with id ' .. id} end
if not isnull(t.revoked_at) then return {'ok', '', raw} end
if is_lasting_admin(t, now) and not lasting_admin_other_than(id, now) then
  return {'conflict', last_admin(id)}
end
t.revoked_at = now
save(t)
redis.call('SREM', P .. 'admins', id)
local cancelled = cancel_codes_of(id, now, tonumber(ARGV[5]))
publish(t, ARGV[4])
return {'ok', '', cjson.encode(t), '', '', t.token_id, t.secret_hash, cancelled}
)lua";

constexpr const char* kExpire = R"lua(
if not meta_ok() then return {'lost'} end
local id, now = ARGV[2], tonumber(ARGV[3])
local t, raw = load(id)
if not t then return {'not_found', 'no token with id ' .. id} end
if not active(t, now) then return {'ok', '', raw} end
if is_lasting_admin(t, now) and not lasting_admin_other_than(id, now) then
  return {'conflict', last_admin(id)}
end
t.expires_at = now
save(t)
local cancelled = cancel_codes_of(id, now, tonumber(ARGV[5]))
publish(t, ARGV[4])
return {'ok', '', cjson.encode(t), '', '', t.token_id, t.secret_hash, cancelled}
)lua";

constexpr const char* kRotate = R"lua(
if not meta_ok() then return {'lost'} end
local id, r = ARGV[2], cjson.decode(ARGV[3])
local now = r.created_at
local old = load(id)
if not old then return {'not_found', 'no token with id ' .. id} end
if not active(old, now) then
  local why = 'expired'
  if not isnull(old.revoked_at) then why = 'revoked' end
  return {'conflict', 'token ' .. id .. ' is not active (' .. why .. ')'}
end
if not blank(old.rotated_to) then
  return {'conflict', 'token ' .. id .. ' was already rotated to ' .. old.rotated_to ..
    '; rotate that token instead'}
end
local problem = new_token_problem(r)
if problem then return {'conflict', problem} end
local grace = ARGV[4]
if grace ~= '' and is_lasting_admin(old, now) and not is_lasting_admin(r, now) and
    not lasting_admin_other_than(id, now) then
  return {'conflict', last_admin(id)}
end
old.rotated_to = r.token_id
local moved = false
if grace ~= '' then
  local when = tonumber(grace)
  if not isnull(old.expires_at) and old.expires_at < when then when = old.expires_at end
  moved = isnull(old.expires_at) or old.expires_at ~= when
  old.expires_at = when
end
save(old)
put_new(r)
if moved then
  publish(old, ARGV[5])
  return {'ok', '', cjson.encode(old), cjson.encode(r), '', old.token_id, old.secret_hash}
end
return {'ok', '', cjson.encode(old), cjson.encode(r)}
)lua";

// last_used_at never moves backwards, and a touch never brings back a token that is gone.
constexpr const char* kTouch = R"lua(
if not meta_ok() then return {'lost'} end
for i = 2, #ARGV - 1, 2 do
  local t = load(ARGV[i])
  local when = tonumber(ARGV[i + 1])
  if t and (isnull(t.last_used_at) or t.last_used_at < when) then
    t.last_used_at = when
    save(t)
  end
end
return {'ok'}
)lua";

// Codes whose keys Redis has dropped (retention over) leave the index here.
constexpr const char* kListPairCodes = R"lua(
if not meta_ok() then return {'lost'} end
local now = tonumber(ARGV[2])
local out = {'ok'}
for _, id in ipairs(redis.call('ZRANGE', P .. 'paircodes', 0, -1)) do
  local raw = redis.call('GET', P .. 'paircode:' .. id)
  if not raw then
    redis.call('ZREM', P .. 'paircodes', id)
  elseif pending(cjson.decode(raw), now) then
    out[#out + 1] = raw
  end
end
return out
)lua";

constexpr const char* kCreatePairCode = R"lua(
if not meta_ok() then return {'lost'} end
local c = cjson.decode(ARGV[2])
if blank(c.pair_code_id) then return {'conflict', 'the pair code has no id'} end
if blank(c.code_hash) then
  return {'conflict', 'pair code ' .. c.pair_code_id .. ' has no code_hash'}
end
if redis.call('EXISTS', P .. 'paircode:' .. c.pair_code_id) == 1 then
  return {'conflict', 'pair code id ' .. c.pair_code_id .. ' already exists'}
end
if redis.call('EXISTS', P .. 'paircode_hash:' .. c.code_hash) == 1 then
  return {'conflict', 'a pair code with that hash already exists'}
end
save_code(c)
redis.call('SET', P .. 'paircode_hash:' .. c.code_hash, c.pair_code_id)
redis.call('ZADD', P .. 'paircodes', c.created_at, c.pair_code_id)
-- Relative to the code's own times, so that the server's clock plays no part in the answer.
local life = c.expires_at - c.created_at
if life < 0 then life = 0 end
retire_code(c, life + tonumber(ARGV[3]))
return {'ok', '', '', '', cjson.encode(c)}
)lua";

constexpr const char* kCancelPairCode = R"lua(
if not meta_ok() then return {'lost'} end
local id, now = ARGV[2], tonumber(ARGV[3])
local raw = redis.call('GET', P .. 'paircode:' .. id)
local c = raw and cjson.decode(raw)
if not c or not pending(c, now) then return {'not_found', 'no pending pair code with id ' .. id} end
c.cancelled_at = now
save_code(c)
retire_code(c, tonumber(ARGV[4]))
return {'ok', '', '', '', cjson.encode(c)}
)lua";

// One answer for unknown, used, cancelled and expired codes: guessing teaches a client nothing.
constexpr const char* kRedeemPairCode = R"lua(
if not meta_ok() then return {'lost'} end
local t = cjson.decode(ARGV[3])
local now = t.created_at
local refused = {'invalid_grant', 'the pair code is unknown, used, cancelled or expired'}
local id = redis.call('GET', P .. 'paircode_hash:' .. ARGV[2])
if not id then return refused end
local raw = redis.call('GET', P .. 'paircode:' .. id)
if not raw then return refused end
local c = cjson.decode(raw)
if not pending(c, now) or not creator_grants(c, now) then return refused end
t.name = c.name
t.scopes = c.scopes
t.created_by = c.created_by
local problem = new_token_problem(t)
if problem then return {'conflict', problem} end
c.redeemed_at = now
c.token_id = t.token_id
save_code(c)
retire_code(c, tonumber(ARGV[4]))
put_new(t)
return {'ok', '', cjson.encode(t), '', cjson.encode(c)}
)lua";

std::string sha1_hex(const std::string& text) {
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  return out;
}

ScriptText make(const char* name, const char* body) {
  std::string text = std::string(kPrelude) + body;
  std::string sha = sha1_hex(text);
  return ScriptText{name, std::move(text), std::move(sha)};
}

}  // namespace

const ScriptText& script(Script which) {
  // In the order of the enum.
  static const std::array<ScriptText, kScriptCount> kScripts = {
      make("open", kOpen),
      make("find_by_hash", kFindByHash),
      make("get", kGet),
      make("list", kList),
      make("create", kCreate),
      make("revoke", kRevoke),
      make("expire", kExpire),
      make("rotate", kRotate),
      make("touch", kTouch),
      make("list_pair_codes", kListPairCodes),
      make("create_pair_code", kCreatePairCode),
      make("cancel_pair_code", kCancelPairCode),
      make("redeem_pair_code", kRedeemPairCode),
  };
  return kScripts[static_cast<size_t>(which)];
}

}  // namespace fathom::store_redis
