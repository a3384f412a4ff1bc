// Ports for the processes a test starts, chosen at run time so that tests run in parallel.
#pragma once

#include <cstdint>

namespace fathom::test {

// A TCP port on 127.0.0.1 that was free a moment ago. Another process may take it before the
// caller binds it, so callers that bind later verify and retry (see DaemonProcess).
uint16_t free_port();

}  // namespace fathom::test
