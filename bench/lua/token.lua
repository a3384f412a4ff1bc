-- One token on every request (hot token, revoked token, wrong token): BENCH_TOKEN_FILE holds it.
-- No request() function, so wrk builds the request once and the client stays cheap.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local file = assert(io.open(os.getenv("BENCH_TOKEN_FILE")))
wrk.headers["Authorization"] = "Bearer " .. file:read("*l")
file:close()
