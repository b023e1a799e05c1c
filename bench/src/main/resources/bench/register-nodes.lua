-- wrk script: every request registers a node of its own (one NodeRegistered event), which the CDC
-- relay publishes and two projections apply. Arguments: <run id> <token>.
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_number", next_thread)
end

function init(args)
  run_id = args[1]
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  wrk.headers["Content-Type"] = "application/json"
  counter = 0
end

function request()
  counter = counter + 1
  local id = "bench-" .. run_id .. "-" .. thread_number .. "-" .. counter
  return wrk.format("POST", "/v1/nodes", nil,
    '{"nodeId":"' .. id .. '","capacity":{"cpuMillis":64000,"memoryMib":262144,"gpus":2},"labels":{"zone":"bench"}}')
end
