// /slow: the whole response is held back for `delay_ms` on a timer (never by blocking the loop),
// so the proxy's upstream timeout can be tested against a lake that is alive but late.
#pragma once

#include <cstdint>
#include <string>

#include "response_stream.h"

namespace fathom::lake {

class SlowResponse : public ResponseStream {
 public:
  SlowResponse(std::string response, uint64_t delay_ms)
      : response_(std::move(response)), delay_ms_(delay_ms) {}

  StreamStep start(evbuffer* /*out*/) override {
    return StreamStep{.timer_ms = static_cast<int64_t>(delay_ms_)};
  }
  StreamStep on_timer(evbuffer* out) override;

 private:
  std::string response_;
  uint64_t delay_ms_;
};

}  // namespace fathom::lake
