// The CLI's blocking sockets wait with poll(2), so that every step (connect, handshake, each read
// and write) has a deadline and a daemon that stops answering never hangs a script.
#pragma once

#include <chrono>

namespace fathom::cli {

// Waits for `events` (POLLIN, POLLOUT) on `fd`; false on timeout. Retries on EINTR.
bool wait_for(int fd, short events, std::chrono::milliseconds timeout);

}  // namespace fathom::cli
