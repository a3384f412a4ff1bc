// Why the audit log cannot open or go on writing. The message names the file and the problem, so
// an operator can act on it.
#pragma once

#include <stdexcept>

namespace fathom::audit {

class AuditError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Another process (a running daemon) holds the audit directory's lock: told apart so that
// `fathom-auth bootstrap --force` can say that the daemon must be stopped.
class AuditLockedError : public AuditError {
 public:
  using AuditError::AuditError;
};

}  // namespace fathom::audit
