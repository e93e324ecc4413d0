-- wrk script for bench/intake_load.py: one connection per wrk thread (-t N -c N), so each
-- thread's Lua state sees its own requests and responses strictly in turn.
--
-- Each intake gets a fresh Idempotency-Key and (unless BENCH_SAME_PATIENT) a patient of its
-- own. A 503, or a request that got no response (a dropped connection), is sent again with
-- the same key and body after 200 ms, as docs/operations.md tells a kiosk to. Every response
-- is written to this thread's file, "status key id retry", for the Python side to check
-- (statuses, acknowledged keys and ids, rows stored once).

local counter = 0
local key, body = nil, nil
local awaiting = false
local answered = false  -- any response yet in this thread
local retry = 0
local out
-- ``tid`` is a global that setup() sets in each thread's Lua state.

local template = os.getenv("BENCH_BODY_TEMPLATE")
local token = os.getenv("BENCH_TOKEN")
local dir = os.getenv("BENCH_OUT_DIR")
local same = os.getenv("BENCH_SAME_PATIENT") == "1"
local run = os.getenv("BENCH_RUN")

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  out = assert(io.open(dir .. "/thread-" .. tid .. ".log", "w"))
  out:setvbuf("line")
end

local function letters(n)
  local s = ""
  repeat
    s = string.char(97 + n % 26) .. s
    n = math.floor(n / 26)
  until n == 0
  return s
end

local function fresh()
  counter = counter + 1
  local n = tid * 1000000 + counter
  key = string.format("%s-%d-%d", run, tid, counter)
  if same then
    body = template:gsub("__LN__", "Reyes"):gsub("__EM__", "ana"):gsub("__PH__", "555 0100")
  else
    local tag = letters(n)
    body = template:gsub("__LN__", "Reyes-" .. tag):gsub("__EM__", "ana." .. tag)
      :gsub("__PH__", string.format("%03d %04d", 200 + math.floor(n / 10000) % 800, n % 10000))
  end
  retry = 0
end

function request()
  if key == nil then
    fresh()
  elseif awaiting and (answered or counter > 1) then
    -- No response to the last attempt (connection dropped): the same intake again. (Not
    -- before the first response: wrk calls request() once to check the script, sending
    -- nothing.)
    out:write(string.format("lost %s - %d\n", key, retry))
    retry = retry + 1
  end
  awaiting = true
  return wrk.format("POST", "/api/v1/intakes", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = key,
  }, body)
end

function delay()
  if retry > 0 then return 200 end
  return 0
end

function response(status, headers, resp)
  awaiting = false
  answered = true
  local id = "-"
  if status == 201 then
    id = resp:match('"id"%s*:%s*(%d+)') or "?"
  end
  out:write(string.format("%d %s %s %d\n", status, key, id, retry))
  if status == 503 then
    retry = retry + 1
  else
    key = nil  -- done with this intake (201, or an error the Python side counts)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH-WRK requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d " ..
    "p50_us=%d p95_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
