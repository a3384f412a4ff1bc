// The first admin token. Without one nobody could mint anything, so the daemon mints it on its
// first start (empty store) and `fathom-auth bootstrap` mints one on demand while no lasting
// admin token is active (TokenRecord::is_lasting_admin); `--force` mints one whatever is active,
// the operator's way back in when every admin token is lost or in the wrong hands. The secret is
// written once to <state_dir>/bootstrap-token (0600) or printed, never logged.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/token_hasher.h"
#include "fathom/audit.h"
#include "fathom/token_store.h"

namespace fathom {

enum class BootstrapWhen { store_empty, no_lasting_admin, forced };

struct BootstrapToken {
  std::string secret;
  std::string token_id;
};

// The detail of the token.created event a bootstrap records: how it came about, and for a forced
// one which admin tokens were active then (ids only). Pure; exposed for tests.
std::string bootstrap_detail(BootstrapWhen when, const std::vector<TokenRecord>& all, UnixTime now);

// Mints `bootstrap-admin` with scopes ["admin"] when `when` holds, and records a durable
// token.created event in `audit` (when not null) saying how; returns the secret and id, or nullopt
// when there was nothing to do. Waits until the token and the event are durable. Throws
// std::runtime_error (no_lasting_admin: one is active, naming it).
std::optional<BootstrapToken> mint_bootstrap_token(TokenStore& store,
                                                   const auth::TokenHasher& hasher, AuditLog* audit,
                                                   BootstrapWhen when);

// Writes the secret to `path` with mode 0600 (replacing any older file) and fsyncs it.
void write_secret_file(const std::string& path, const std::string& secret);

}  // namespace fathom
