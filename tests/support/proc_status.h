// What /proc says about a process and the test's own resource limits.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace fathom::test {

// VmRSS of the process in KiB, from /proc/PID/status; -1 if it cannot be read.
long rss_kb(pid_t pid);

// Raises RLIMIT_NOFILE's soft limit to at least `wanted` (up to the hard limit), for tests that
// hold many sockets. Children started afterwards inherit it. Returns the soft limit now in force.
uint64_t raise_open_file_limit(uint64_t wanted);

}  // namespace fathom::test

namespace fathom::test {

// True if `pid` holds a socket listening on 127.0.0.1:port (or any address) and no other
// process does: with SO_REUSEPORT two daemons could share a port silently, so a test checks
// that the daemon it talks to is its own.
bool sole_listener(pid_t pid, uint16_t port);

// TCP sockets on 127.0.0.1 that involve `port`, from /proc/net/tcp: how many are connected to it
// (the client ends, e.g. the daemon's connections to the lake), and how many TIME_WAIT entries
// name it on either end (each one a connection that was closed, not reused).
struct PortConnections {
  int established_to = 0;
  int time_wait = 0;
};
PortConnections connections_involving(uint16_t port);

}  // namespace fathom::test
