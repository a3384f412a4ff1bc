// systemd's socket activation: the listening sockets systemd opened for the daemon, passed as
// fds 3, 4, ... with LISTEN_FDS=<count> and LISTEN_PID=<the daemon's pid>.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace fathom::sd {

// The fds the environment passes to process `self`: empty when LISTEN_PID is unset or names
// another process (the variables were inherited, not meant for us). Throws std::runtime_error
// naming the problem for a malformed LISTEN_FDS or LISTEN_PID.
std::vector<int> parse_listen_fds(const char* listen_pid, const char* listen_fds, pid_t self);

// parse_listen_fds() on this process's environment, then LISTEN_PID, LISTEN_FDS and
// LISTEN_FDNAMES are removed (nothing the daemon starts may take them for its own). Every fd
// returned is checked to be a listening stream socket and made close-on-exec and non-blocking;
// anything else throws std::runtime_error naming the fd. Call before any thread starts: it
// changes the environment.
std::vector<int> take_listen_fds();

// "127.0.0.1:8201", "[::1]:8201" or "unix:/path": what a listening socket is bound to.
std::string describe_socket(int fd);

}  // namespace fathom::sd
