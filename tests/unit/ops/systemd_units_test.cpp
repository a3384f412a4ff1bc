// The shipped systemd units forbid core files: a dump of the daemon (or of the rotation job)
// would hold the token hash key or tokens.

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

namespace {

// The assignments of `key` in the [Service] section of a unit file, in order.
std::vector<std::string> service_values(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::vector<std::string> values;
  std::string line;
  bool in_service = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') {
      in_service = line == "[Service]";
      continue;
    }
    if (in_service && line.rfind(key + "=", 0) == 0) values.push_back(line.substr(key.size() + 1));
  }
  return values;
}

TEST(SystemdUnits, ForbidCoreFiles) {
  for (const char* unit : {"fathom-auth.service", "fathom-auth-rotate@.service"}) {
    const std::string path = std::string(FATHOM_SOURCE_DIR) + "/systemd/" + unit;
    EXPECT_EQ(service_values(path, "LimitCORE"), std::vector<std::string>{"0"}) << path;
  }
}

}  // namespace
