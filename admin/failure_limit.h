// The daemon's per-address failure limit, for the one credential the admin plugin checks itself:
// pair codes. The Host's in the daemon; a counting one in tests (the limiter itself is tested
// with the daemon's auth code).
#pragma once

#include <string_view>

namespace fathom::admin {

class FailureLimit {
 public:
  virtual ~FailureLimit() = default;
  // Whole seconds the address must wait before trying again; 0 when it may try now.
  virtual int retry_after(std::string_view client_address) = 0;
  // Spends one attempt for a wrong code.
  virtual void count_failure(std::string_view client_address) = 0;
};

}  // namespace fathom::admin
