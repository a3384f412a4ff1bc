// Help text shared by every command that talks to the admin API.
#pragma once

namespace fathom::cli {

inline constexpr const char kApiOptionsHelp[] =
    "connection (every command that talks to the daemon):\n"
    "  --url URL           the daemon's listener (default: $FATHOM_URL, else "
    "http://127.0.0.1:8201)\n"
    "  --ca-file FILE      https:// URLs: the CA certificate (PEM) that issued the daemon's\n"
    "                      certificate (default: the system's CA store)\n"
    "  --insecure-http     allow a plain http:// URL to a host other than loopback\n"
    "                      (127.0.0.0/8, ::1, localhost); without it such a URL is refused,\n"
    "                      as the admin token would cross the network in the clear\n"
    "  --token-file FILE   the admin token, on FILE's first line (mode 0600)\n"
    "                      default: $FATHOM_ADMIN_TOKEN; there is no --token flag on purpose:\n"
    "                      a command line is readable by every local user\n"
    "  --json              print the API's JSON document instead of a table\n";

inline constexpr const char kExitCodesHelp[] =
    "exit codes:\n"
    "  0   done\n"
    "  1   local problem: no admin token, unsafe token file, bad --url, config not loaded\n"
    "  2   the API refused the request (400, 401, 403, other 4xx)\n"
    "  3   the daemon cannot be reached, timed out, or failed (5xx)\n"
    "  4   not found (404, or no token has that name)\n"
    "  5   refused by a rule (409): the last admin token, already rotated, revoked\n"
    "  6   the name matches several tokens (they are listed); use an id\n"
    "  7   rotate: the replacement was not confirmed; both tokens are still active\n"
    "  64  usage error, or plain http:// to a host other than loopback (see --insecure-http)\n";

}  // namespace fathom::cli
