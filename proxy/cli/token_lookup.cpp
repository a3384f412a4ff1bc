#include "cli/token_lookup.h"

#include "cli/api_session.h"
#include "cli/cli_error.h"
#include "cli/exit_codes.h"
#include "cli/table.h"

namespace fathom::cli {

bool looks_like_token_id(std::string_view text) {
  if (!text.starts_with("tok_") || text.size() == 4) return false;
  for (char c : text.substr(4)) {
    bool base62 = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (!base62) return false;
  }
  return true;
}

std::string token_path(std::string_view token_id) {
  return "/v1/tokens/" + query_escape(token_id);
}

nlohmann::json resolve_token(const AdminClient& client, std::string_view id_or_name,
                             std::string_view status) {
  if (looks_like_token_id(id_or_name)) {
    return call_api(client, "GET", token_path(id_or_name), "token " + std::string(id_or_name));
  }
  nlohmann::json list =
      call_api(client, "GET", "/v1/tokens?status=" + std::string(status), "list tokens");
  std::vector<nlohmann::json> matches;
  for (const nlohmann::json& t : list.value("tokens", nlohmann::json::array())) {
    if (t.value("name", "") == id_or_name) matches.push_back(t);
  }
  const std::string quoted = "\"" + std::string(id_or_name) + "\"";
  const std::string which = status == "active" ? "active token" : "token";
  if (matches.empty()) {
    throw CliError(kExitNotFound, "no " + which + " is named " + quoted +
                                      " (names are matched exactly; 'fathom-auth tokens list "
                                      "--status all' shows every token)");
  }
  if (matches.size() > 1) {
    std::string text = std::to_string(matches.size()) + " " + which + "s are named " + quoted +
                       "; name the one you mean by its id:";
    for (const nlohmann::json& t : matches) {
      text += "\n  " + cell(t, "token_id") + "  status " + cell(t, "status") + ", created " +
              cell(t, "created_at") + ", last used " + cell(t, "last_used_at") + ", scopes " +
              cell(t, "scopes");
    }
    throw CliError(kExitAmbiguous, text);
  }
  return matches.front();
}

}  // namespace fathom::cli
