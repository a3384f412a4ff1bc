// Feeds arbitrary bytes to parse_config. A ConfigError is the expected answer to nonsense; any
// other exception, a crash, a leak or undefined behaviour is a bug.
//
//   cmake -B build-fuzz -DFATHOM_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ && \
//     cmake --build build-fuzz --target fuzz_config && \
//     build-fuzz/fuzz/fuzz_config tests/fuzz/corpus/fuzz_config -max_total_time=60

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    // A base folder that does not exist: resolving paths must not depend on the file system,
    // and nothing here may create or read files.
    const fathom::Config config =
        fathom::parse_config(text, "fuzz.json", "/nonexistent/fuzz/conf", "/nonexistent/fuzz");
    // What a valid config promises the rest of the daemon.
    if (config.listen.empty() || config.workers == 0 || config.upstream.port == 0 ||
        config.upstream.authority.empty()) {
      __builtin_trap();
    }
    for (const fathom::PluginConfig& plugin : config.plugins) {
      if (plugin.name.empty() || plugin.path.empty() || plugin.path[0] != '/' ||
          plugin.config_json.empty()) {
        __builtin_trap();
      }
    }
  } catch (const fathom::ConfigError&) {
  }
  return 0;
}
