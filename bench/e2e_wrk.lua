-- wrk script for bench/e2e.py: rotates through the request paths listed one per line in the
-- file given after `--`; an optional second argument is a delay in ms between the requests
-- of each connection (a rate limit: connections / delay requests per ms). Prints the run's
-- figures as one JSON line at the end (latency excludes the delay).

local requests = {}
local count = 0
local index = 0
local pause_ms = 0
local threads_created = 0

function setup(thread)
  threads_created = threads_created + 1
  thread:set("thread_number", threads_created)
end

function init(args)
  for path in io.lines(args[1]) do
    count = count + 1
    requests[count] = wrk.format("GET", path)
  end
  pause_ms = tonumber(args[2] or "0")
  index = (thread_number * 7919) % count
end

function request()
  index = index % count + 1
  return requests[index]
end

function delay()
  return pause_ms
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
