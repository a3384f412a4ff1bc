#include "core/idle_expiry.h"

#include <utility>

#include "ops/log.h"

namespace fathom {
namespace {

// On the store's thread, once an idle expiry is durable (or refused).
void expired(const StoreResult& r, AuditLog* audit, unsigned days, UnixTime now,
             const std::string& id) {
  if (r.status == StoreStatus::conflict) {
    log::info("idle_expiry_kept_last_admin",
              {{"token_id", id}, {"message", "the last admin token never expires idle"}});
    return;
  }
  if (r.status != StoreStatus::ok) {
    log::warn("idle_expiry_failed", {{"token_id", id}, {"message", r.message}});
    return;
  }
  // A token that stopped being active between the list and the write: nothing expired now.
  if (!r.token || !r.token->expires_at || *r.token->expires_at != now) return;
  log::info("token_expired_idle", {{"token_id", id}, {"idle_days", days}});
  if (audit == nullptr) return;
  AuditEvent e;
  e.time = now;
  e.kind = "token.expired";
  e.token_id = id;
  e.detail = "unused for " + std::to_string(days) + " days (tokens.idle_expiry_days)";
  audit->record_durable(std::move(e), [id](bool durable) {
    if (!durable) log::error("audit_write_failed", {{"event", "token.expired"}, {"token_id", id}});
  });
  // The store cancelled the token's pending pair codes in the same write; each says why.
  for (const PairCodeRecord& code : r.cancelled_pair_codes) {
    AuditEvent c;
    c.time = now;
    c.kind = "pair_code.cancelled";
    c.pair_code_id = code.pair_code_id;
    c.token_id = id;
    c.detail = "its creator " + id + " expired";
    audit->record_durable(std::move(c), [pc = code.pair_code_id](bool durable) {
      if (!durable) {
        log::error("audit_write_failed", {{"event", "pair_code.cancelled"}, {"pair_code_id", pc}});
      }
    });
  }
}

}  // namespace

std::vector<TokenRecord> idle_tokens(const std::vector<TokenRecord>& tokens, unsigned days,
                                     UnixTime now) {
  std::vector<TokenRecord> out;
  if (days == 0) return out;
  const UnixTime cutoff = now - static_cast<UnixTime>(days) * 86400;
  for (const TokenRecord& t : tokens) {
    if (!t.active(now)) continue;
    const UnixTime last = t.last_used_at.value_or(t.created_at);
    if (last <= cutoff) out.push_back(t);
  }
  return out;
}

void expire_idle_tokens(TokenStore& store, AuditLog* audit, unsigned days, UnixTime now) {
  if (days == 0) return;
  // Inside the list callback, so that a store answering later (Redis) works the same way.
  store.list([&store, audit, days, now](StoreStatus status, std::vector<TokenRecord> all) {
    if (status != StoreStatus::ok) {
      log::warn("idle_expiry_skipped", {{"message", "the token store could not list tokens"}});
      return;
    }
    for (const TokenRecord& t : idle_tokens(all, days, now)) {
      store.expire(t.token_id, now, [audit, days, now, id = t.token_id](StoreResult r) {
        expired(r, audit, days, now, id);
      });
    }
  });
}

}  // namespace fathom
