// The authenticator's answer as a fathom_auth_total label. Header-only, for the core: the metrics
// library itself knows nothing of the authenticator.
#pragma once

#include "core/authenticator.h"
#include "metrics/worker_metrics.h"

namespace fathom::metrics {

inline AuthLabel label_of(const AuthResult& r) {
  switch (r.outcome) {
    case AuthOutcome::valid:
      return r.stale ? AuthLabel::stale : AuthLabel::valid;
    case AuthOutcome::bad_format:
      return AuthLabel::bad_format;
    case AuthOutcome::unknown:
      return AuthLabel::unknown;
    case AuthOutcome::revoked:
      return AuthLabel::revoked;
    case AuthOutcome::expired:
      return AuthLabel::expired;
    case AuthOutcome::rate_limited:
      return AuthLabel::rate_limited;
    case AuthOutcome::pending:  // never a final answer; refused as unavailable if it were
    case AuthOutcome::store_unavailable:
      return AuthLabel::store_unavailable;
  }
  return AuthLabel::store_unavailable;
}

}  // namespace fathom::metrics
