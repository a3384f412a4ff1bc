#include "metrics/worker_metrics.h"

namespace fathom::metrics {

std::string_view name(AuthLabel l) {
  switch (l) {
    case AuthLabel::valid:
      return "valid";
    case AuthLabel::stale:
      return "stale";
    case AuthLabel::missing:
      return "missing";
    case AuthLabel::malformed:
      return "malformed";
    case AuthLabel::query_token:
      return "query_token";
    case AuthLabel::bad_format:
      return "bad_format";
    case AuthLabel::unknown:
      return "unknown";
    case AuthLabel::revoked:
      return "revoked";
    case AuthLabel::expired:
      return "expired";
    case AuthLabel::rate_limited:
      return "rate_limited";
    case AuthLabel::store_unavailable:
      return "store_unavailable";
  }
  return "unknown";
}

}  // namespace fathom::metrics
