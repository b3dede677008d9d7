-- One wrk script for every scenario of bench/run.py (see bench/README.md).
--
-- Arguments after `--` are key=value pairs:
--   method=POST          request method (default GET)
--   body=...             static request body (form-encoded)
--   expect=...           a plain substring every 2xx body must contain (else "bad_body")
--   pool=FILE            one request body per line, each sent once; the run ends when the
--                        pool is exhausted (single-use authorization codes)
--   chain=FILE           refresh tokens, one per line; every answer's new refresh_token goes
--                        back into the queue (rotation: each token is sent exactly once)
-- Headers come from wrk's -H options. The summary is printed as one line:
--   WRKJSON {...}
-- Counters are globals so that done() can read them from each thread with thread:get().

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]])
local ts = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

-- Per-thread state (each wrk thread has its own Lua state).
ok = 0
non2xx = 0
bad_body = 0
first_error = ""
first_us = 0
last_us = 0
exhausted = 0
pool_size = 0

local method = "GET"
local body = nil
local expect = nil
local queue = {}
local head = 1
local tail = 0
local mode = "static"
local static_request = nil
local dummy_request = nil

local function read_lines(path)
  local file = assert(io.open(path, "r"))
  for line in file:lines() do
    if #line > 0 then
      tail = tail + 1
      queue[tail] = line
    end
  end
  file:close()
  pool_size = tail
end

function init(args)
  for _, arg in ipairs(args) do
    local key, value = arg:match("^([%w_]+)=(.*)$")
    if key == "method" then
      method = value
    elseif key == "body" then
      body = value
    elseif key == "expect" then
      expect = value
    elseif key == "pool" then
      mode = "pool"
      read_lines(value)
    elseif key == "chain" then
      mode = "chain"
      read_lines(value)
    end
  end
  if mode == "static" then
    static_request = wrk.format(method, nil, nil, body)
  else
    method = "POST"
    -- Sent only if wrk writes once more after stop(); answered 404 and not counted.
    dummy_request = wrk.format("GET", "/bench-pool-exhausted")
  end
end

function request()
  if first_us == 0 then
    first_us = now_us()
  end
  if mode == "static" then
    return static_request
  end
  if head > tail then
    exhausted = 1
    wrk.thread:stop()
    return dummy_request
  end
  local item = queue[head]
  queue[head] = nil
  head = head + 1
  if mode == "chain" then
    item = "grant_type=refresh_token&refresh_token=" .. item
  end
  return wrk.format(method, nil, nil, item)
end

function response(status, headers, resp_body)
  if exhausted == 1 and status == 404 then
    return
  end
  last_us = now_us()
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_error == "" then
      first_error = tostring(status) .. " " .. string.sub(resp_body or "", 1, 300)
    end
    return
  end
  if expect ~= nil and not string.find(resp_body, expect, 1, true) then
    bad_body = bad_body + 1
    if first_error == "" then
      first_error = "unexpected body: " .. string.sub(resp_body or "", 1, 300)
    end
    return
  end
  ok = ok + 1
  if mode == "chain" then
    local token = string.match(resp_body, '"refresh_token"%s*:%s*"([^"]+)"')
    if token then
      tail = tail + 1
      queue[tail] = token
    end
  end
end

local function json_string(value)
  value = string.gsub(value, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end)
  return '"' .. value .. '"'
end

function done(summary, latency, requests)
  local total = { ok = 0, non2xx = 0, bad_body = 0, first = nil, last = 0, exhausted = 0 }
  local first_error_all = ""
  for _, thread in ipairs(threads) do
    total.ok = total.ok + thread:get("ok")
    total.non2xx = total.non2xx + thread:get("non2xx")
    total.bad_body = total.bad_body + thread:get("bad_body")
    total.exhausted = math.max(total.exhausted, thread:get("exhausted"))
    local f = thread:get("first_us")
    if f > 0 and (total.first == nil or f < total.first) then
      total.first = f
    end
    total.last = math.max(total.last, thread:get("last_us"))
    if first_error_all == "" then
      first_error_all = thread:get("first_error")
    end
  end
  local e = summary.errors
  io.write(
    string.format(
      "WRKJSON {"
        .. '"requests": %d, "duration_us": %d, "bytes": %d, '
        .. '"ok": %d, "non2xx": %d, "bad_body": %d, "exhausted": %d, "active_us": %d, '
        .. '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, '
        .. '"latency_us": {"mean": %.1f, "stdev": %.1f, "max": %d, '
        .. '"p50": %d, "p90": %d, "p99": %d}, "first_error": %s}\n',
      summary.requests,
      summary.duration,
      summary.bytes,
      total.ok,
      total.non2xx,
      total.bad_body,
      total.exhausted,
      total.first and (total.last - total.first) or 0,
      e.connect,
      e.read,
      e.write,
      e.timeout,
      latency.mean,
      latency.stdev,
      latency.max,
      latency:percentile(50),
      latency:percentile(90),
      latency:percentile(99),
      json_string(first_error_all)
    )
  )
end
