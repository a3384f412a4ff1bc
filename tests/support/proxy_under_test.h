// The pair most integration tests need: a test lake, and the daemon in front of it.
#pragma once

#include <functional>

#include <nlohmann/json.hpp>

#include "support/daemon_process.h"
#include "support/lake_process.h"

namespace fathom::test {

struct ProxyUnderTest {
  // The daemon starts with DaemonProcess::public_config(lake port), changed by `adjust` first
  // (e.g. to set a limit or replace the plugins).
  explicit ProxyUnderTest(const std::function<void(nlohmann::json&)>& adjust = {},
                          DaemonOptions options = {});

  uint16_t port() const { return daemon.port(); }

  LakeProcess lake;  // declared first: started before the daemon, stopped after it
  DaemonProcess daemon;
};

}  // namespace fathom::test
