-- wrk script for the benchmarks (gateway_http.py, e2e.py): rotates through the request paths
-- listed one per line in the file given after `--` (formatted once per thread, so wrk spends
-- no time on them; each thread starts at a different place in the list). An optional second
-- argument is the rate (requests/s) each wrk thread keeps: every request of the thread gets
-- the next slot of an evenly spaced schedule and waits for it, whatever the latency (a plain
-- per-connection delay would undershoot by the latency). 0 or none means unpaced: `delay` is
-- then removed, so wrk sends back to back. Prints the run's figures as one JSON line at the
-- end (latency excludes the wait).

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } emailtrack_timespec;
  int clock_gettime(int clock_id, emailtrack_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local now_buffer = ffi.new("emailtrack_timespec")

local requests = {}
local count = 0
local index = 0
local interval_ms = 0
local next_slot_ms = nil
local threads_created = 0

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_buffer)
  return tonumber(now_buffer.tv_sec) * 1000 + tonumber(now_buffer.tv_nsec) / 1e6
end

function setup(thread)
  threads_created = threads_created + 1
  thread:set("thread_number", threads_created)
end

function init(args)
  for path in io.lines(args[1]) do
    count = count + 1
    requests[count] = wrk.format("GET", path)
  end
  local rate = tonumber(args[2] or "0")
  interval_ms = rate > 0 and 1000 / rate or 0
  if interval_ms == 0 then
    delay = nil -- wrk checks for the function after init: none means no timer per request
  end
  index = (thread_number * 7919) % count
end

function request()
  index = index % count + 1
  return requests[index]
end

function delay()
  local now = now_ms()
  if next_slot_ms == nil or next_slot_ms < now - 1000 then
    next_slot_ms = now -- the first request, or a schedule fallen far behind: restart it
  end
  local wait = next_slot_ms - now
  next_slot_ms = next_slot_ms + interval_ms
  return wait > 0 and math.floor(wait) or 0
end

function done(summary, latency, _)
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, '
      .. '"status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, errors.connect, errors.read, errors.write, errors.status, errors.timeout
  ))
end
