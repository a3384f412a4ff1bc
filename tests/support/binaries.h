// Where the build put the programs and plugins the integration tests run.
#pragma once

#include <string>

namespace fathom::test {

inline std::string daemon_binary() {
  return FATHOM_BINARY_DIR "/fathom-auth";
}
inline std::string lake_binary() {
  return FATHOM_BINARY_DIR "/fathom-lake";
}
inline std::string plugin_dir() {
  return FATHOM_BINARY_DIR "/plugins";
}
inline std::string test_plugin(const std::string& name) {
  return FATHOM_BINARY_DIR "/test-plugins/" + name + ".so";
}
inline std::string corpus_dir() {
  return FATHOM_SOURCE_DIR "/tests/corpus";
}

}  // namespace fathom::test
