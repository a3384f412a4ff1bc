// The version this daemon was built as (the project's version in CMake), for fathom_build_info.
#pragma once

#include <string_view>

namespace fathom::metrics {

std::string_view build_version();

}  // namespace fathom::metrics
