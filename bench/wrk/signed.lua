-- POST BENCH_PATH with pre-signed WHMCS requests from BENCH_SIGNED (key \t ts \t sig \t body);
-- each thread takes every n-th line, so no signature is sent twice.
dofile(os.getenv("BENCH_WRK_DIR") .. "/summary.lua")
local counter = 0
function setup(thread)
  thread:set("slot", counter)
  counter = counter + 1
end

local lines, next_line = {}, 1
function init(args)
  local n = 0
  for line in io.lines(os.getenv("BENCH_SIGNED")) do
    if n % tonumber(os.getenv("BENCH_THREADS") or "2") == slot then lines[#lines + 1] = line end
    n = n + 1
  end
end

request = function()
  local line = lines[next_line]
  next_line = next_line + 1
  local key, ts, sig, body = line:match("([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)")
  return wrk.format("POST", os.getenv("BENCH_PATH"), {
    ["X-API-Key"] = key, ["X-Timestamp"] = ts, ["X-Signature"] = sig,
    ["Content-Type"] = "application/json"}, body)
end
