-- wrk script: every request appends to a stream of its own (expectedVersion "no-stream"), so no
-- request waits for another's lock. Arguments: <path prefix> <run id> <events per request> <token>
-- <tenant>. The body is built once per thread; only the path changes per request.
local threads = {}
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_number", next_thread)
end

function init(args)
  path_prefix = args[1]
  run_id = args[2]
  local count = tonumber(args[3])
  wrk.headers["Authorization"] = "Bearer " .. args[4]
  wrk.headers["Content-Type"] = "application/json"
  local events = {}
  for i = 1, count do
    events[i] = '{"type":"BenchEventRecorded","schemaVersion":1,"payload":{"sequence":' .. i ..
      ',"source":"bench","note":"a benchmark event of about the size of a control-plane event"}}'
  end
  wrk.body = '{"tenantId":"' .. args[5] .. '","expectedVersion":"no-stream","events":[' ..
    table.concat(events, ",") .. ']}'
  counter = 0
end

function request()
  counter = counter + 1
  return wrk.format("POST", path_prefix .. run_id .. "-" .. thread_number .. "-" .. counter .. "/events")
end
