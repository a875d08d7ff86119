-- METHOD BENCH_PATH with {id} replaced by a random line of BENCH_IDS; bearer BENCH_TOKEN.
dofile(os.getenv("BENCH_WRK_DIR") .. "/summary.lua")
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
local method = os.getenv("BENCH_METHOD") or "GET"
local template = os.getenv("BENCH_PATH")
local headers = {["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")}
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))

request = function()
  local path = template:gsub("{id}", ids[math.random(#ids)])
  return wrk.format(method, path, headers, nil)
end
