// A TokenRecord as the API shows it: the Token object of API.md. The secret's hash never leaves
// the store through here; the secret itself appears only in a mint or rotate answer.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "fathom/token_store.h"

namespace fathom::admin {

// ordered_json keeps the fields in the order API.md lists them, which is easier to read in a
// terminal than alphabetical order.
using Json = nlohmann::ordered_json;

// "active", "revoked" or "expired" at `now`. Revoked wins over expired: it is the stronger,
// deliberate state.
std::string_view token_status(const TokenRecord& record, UnixTime now);

// {token_id, name, scopes, status, created_at, created_by, last_used_at, expires_at, revoked_at,
//  rotated_from, rotated_to}; absent times and ids are null.
Json token_json(const TokenRecord& record, UnixTime now);

// The Token object plus "token": the one and only time a client sees the secret.
Json minted_token_json(const TokenRecord& record, std::string_view secret, UnixTime now);

}  // namespace fathom::admin
