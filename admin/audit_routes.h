// GET /v1/audit (audit:read): one page of the audit trail, newest first, from the AuditLog. A
// plain class, so unit tests drive it against a real log; plugin.cpp wires it to the Host.
#pragma once

#include <memory>
#include <string_view>

#include "fathom/audit.h"
#include "fathom/plugin.h"

namespace fathom::admin {

class AuditRoutes {
 public:
  // `log` may be null (the daemon runs without an audit trail): the route then answers 503.
  explicit AuditRoutes(AuditLog* log) : log_(log) {}

  // Answers exactly once (for the file log, before it returns: its queries complete on the
  // calling thread). Never throws.
  void handle(const Request& request, std::shared_ptr<Responder> responder);

 private:
  void dispatch(const Request& request, const std::shared_ptr<Responder>& reply);

  AuditLog* log_;
};

}  // namespace fathom::admin
