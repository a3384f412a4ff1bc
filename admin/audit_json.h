// An AuditEvent as the API shows it: the "Audit event" object of API.md.
#pragma once

#include "fathom/audit.h"
#include "token_json.h"

namespace fathom::admin {

// {event_id, time, kind, token_id, actor_token_id, method, path, status, client, user_agent,
//  request_id}, always all of them, absent ones null (a status of 0 too); then pair_code_id and
// detail, only when the event has them.
Json event_json(const AuditEvent& event);

}  // namespace fathom::admin
