// Flow-control constants and small helpers shared by both sides of a connection.
#pragma once

#include <sys/time.h>

#include <chrono>
#include <cstddef>

namespace fathom {

// Above kFlowHigh bytes waiting in an output buffer, the side that feeds it stops reading; below
// kFlowLow it reads again. This is what bounds memory per connection whatever the body size.
inline constexpr size_t kFlowHigh = 256 * 1024;
inline constexpr size_t kFlowLow = 64 * 1024;

// libevent reads and writes at most 16 KiB per call by default; bodies of megabytes move in
// far fewer system calls with larger steps.
inline constexpr size_t kMaxSingleIo = 128 * 1024;

inline timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

}  // namespace fathom
