// The dashboard's files, compiled into the plugin by embed_assets.cmake (the generated
// dashboard_assets.cpp defines embedded_assets()).
#pragma once

#include <span>
#include <string_view>

namespace fathom::dashboard {

struct Asset {
  std::string_view name;   // file name in assets/, e.g. "app.js"
  std::string_view bytes;  // the whole file
  std::string_view etag;   // strong entity tag with its quotes: the start of the SHA-256 in hex
};

// Every file of plugins/dashboard/assets/ as it was at build time, sorted by name.
std::span<const Asset> embedded_assets();

}  // namespace fathom::dashboard
