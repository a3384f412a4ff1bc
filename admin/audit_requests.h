// GET /v1/audit's query string, checked before the audit log is asked. Refusals are 400
// invalid_request messages starting with the parameter ("since: …").
#pragma once

#include <string_view>

#include "fathom/audit.h"
#include "token_requests.h"

namespace fathom::admin {

inline constexpr size_t kDefaultAuditLimit = 100;
inline constexpr size_t kMaxAuditLimit = 1000;

// token_id, since, until (RFC 3339, any offset), limit (1..1000, default 100) and cursor, each at
// most once. Values are percent-decoded; "+" stays "+" (a time offset, not a space).
Parsed<AuditQuery> parse_audit_query(std::string_view query);

}  // namespace fathom::admin
