// The first admin token. Without one nobody could mint anything, so the daemon mints it on its
// first start (empty store) and `fathom-auth bootstrap` mints one on demand while no admin token
// is active. The secret is written once to <state_dir>/bootstrap-token (0600) or printed, never
// logged.
#pragma once

#include <optional>
#include <string>

#include "auth/token_hasher.h"
#include "fathom/token_store.h"

namespace fathom {

enum class BootstrapWhen { store_empty, no_active_admin };

// Mints `bootstrap-admin` with scopes ["admin"] when `when` holds; returns the secret, or nullopt
// when there was nothing to do. Waits until the token is durable. Throws std::runtime_error.
std::optional<std::string> mint_bootstrap_token(TokenStore& store, const auth::TokenHasher& hasher,
                                                BootstrapWhen when);

// Writes the secret to `path` with mode 0600 (replacing any older file) and fsyncs it.
void write_secret_file(const std::string& path, const std::string& secret);

}  // namespace fathom
