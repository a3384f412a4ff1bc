-- Every request carries the next token of BENCH_TOKEN_FILE (one a line), round robin.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local requests = {}
local i = 0

-- In init, not at the top: wrk sets the Host header just before it calls init.
function init(args)
  for line in io.lines(os.getenv("BENCH_TOKEN_FILE")) do
    if #line > 0 then
      -- Built once per token, so the client's cost per request stays a table lookup.
      local headers = {["Authorization"] = "Bearer " .. line}
      requests[#requests + 1] = wrk.format("GET", wrk.path, headers)
    end
  end
end

function request()
  i = i % #requests + 1
  return requests[i]
end
