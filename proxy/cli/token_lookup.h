// Finding the token a user means: an id (`tok_…`) is fetched as it is; anything else is a name,
// which must match exactly one token, or the command stops and lists the candidates.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cli/admin_client.h"

namespace fathom::cli {

bool looks_like_token_id(std::string_view text);

// "/v1/tokens/<id>" with the id percent-encoded, so that nothing typed can change the path.
std::string token_path(std::string_view token_id);

// The token object for `id_or_name`. Names are looked up among tokens with `status` ("active"
// or "all"). Throws CliError: kExitNotFound when nothing matches, kExitAmbiguous (listing the
// candidates) when several do.
nlohmann::json resolve_token(const AdminClient& client, std::string_view id_or_name,
                             std::string_view status);

}  // namespace fathom::cli
