// The exit codes of the commands that talk to the admin API. Scripts rely on them: each value
// keeps its meaning from one release to the next (docs/operations.md, "The CLI", lists them).
#pragma once

namespace fathom::cli {

inline constexpr int kExitOk = 0;
// A local problem: no admin token, an unsafe or unreadable token file, a bad URL, a config that
// does not load.
inline constexpr int kExitLocal = 1;
// The API refused the request (400, 401, 403 and other 4xx not listed below).
inline constexpr int kExitRefused = 2;
// The daemon cannot be reached, did not answer in time, answered 5xx or something not HTTP.
inline constexpr int kExitUnreachable = 3;
// No such token or pair code (404, or no token has that name).
inline constexpr int kExitNotFound = 4;
// Refused by a rule (409): the last admin token, a token already rotated, revoked or expired.
inline constexpr int kExitConflict = 5;
// A name matches several tokens; the candidates are listed, use an id.
inline constexpr int kExitAmbiguous = 6;
// `rotate` could not confirm the replacement (not used within --wait, or --verify failed): both
// tokens are left active.
inline constexpr int kExitUnconfirmed = 7;
// The command line is wrong (sysexits' EX_USAGE, as every fathom-auth command answers it).
inline constexpr int kExitUsage = 64;

}  // namespace fathom::cli
