#include "metrics/build_info.h"

namespace fathom::metrics {

std::string_view build_version() {
  return FATHOM_VERSION;
}

}  // namespace fathom::metrics
