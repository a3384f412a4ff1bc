-- Shared by the wrk scripts: one machine-readable line for bench/run when wrk is done.
-- BENCH <requests/s> <p50 us> <p99 us> <requests> <non-2xx/3xx> <socket errors>
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("BENCH %.1f %d %d %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), summary.requests, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
