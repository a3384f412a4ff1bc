// A plugin that claims the next ABI version, to prove the loader refuses it by the version alone,
// before reading anything else from the descriptor. Written by hand rather than with
// FATHOM_PLUGIN, since the macro always stamps the current version.

#include <string>
#include <string_view>

#include "fathom/plugin.h"

namespace {

fathom::Plugin* create(fathom::Host&, std::string_view, std::string& error) {
  error = "test-wrong-abi must never be created";
  return nullptr;
}

void destroy(fathom::Plugin*) {}

const fathom::PluginDescriptor descriptor = {FATHOM_PLUGIN_ABI_VERSION + 1, FATHOM_TOOLCHAIN,
                                             "test-wrong-abi", &create, &destroy};

}  // namespace

extern "C" __attribute__((visibility("default"))) const fathom::PluginDescriptor*
fathom_plugin_descriptor() {
  return &descriptor;
}
