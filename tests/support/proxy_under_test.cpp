#include "support/proxy_under_test.h"

namespace fathom::test {

namespace {

nlohmann::json adjusted(uint16_t lake_port, const std::function<void(nlohmann::json&)>& adjust) {
  nlohmann::json config = DaemonProcess::public_config(lake_port);
  if (adjust) adjust(config);
  return config;
}

}  // namespace

ProxyUnderTest::ProxyUnderTest(const std::function<void(nlohmann::json&)>& adjust,
                               DaemonOptions options)
    : daemon(adjusted(lake.port(), adjust), std::move(options)) {}

}  // namespace fathom::test
