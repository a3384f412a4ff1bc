// Idle expiry (config tokens.idle_expiry_days): a token nobody has used for that many days stops
// working, as if it had expired, and the audit says so. A forgotten token on a lost laptop is
// the usual way keys leak; this bounds how long one stays usable.
//
// The last admin token is never expired this way (the store refuses, as it refuses to revoke it):
// locking every operator out of their own proxy would be worse than the risk it removes.
#pragma once

#include <vector>

#include "fathom/audit.h"
#include "fathom/token_store.h"

namespace fathom {

// Tokens active at `now` whose last use (or creation, if never used) is at least `days` days
// before `now`. Pure; exposed for tests.
std::vector<TokenRecord> idle_tokens(const std::vector<TokenRecord>& tokens, unsigned days,
                                     UnixTime now);

// Lists the store and expires every idle token, each with a token.expired audit event (durable,
// written once the expiry is). The expiries complete on the store's thread (TokenStore::quiesce()
// waits for them). `days` 0 does nothing.
void expire_idle_tokens(TokenStore& store, AuditLog* audit, unsigned days, UnixTime now);

}  // namespace fathom
