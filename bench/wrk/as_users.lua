-- METHOD of a random line of BENCH_REQUESTS: "<bearer token>\t<path>", one signed-in user each.
dofile(os.getenv("BENCH_WRK_DIR") .. "/summary.lua")
local requests = {}
for line in io.lines(os.getenv("BENCH_REQUESTS")) do
  local token, path = line:match("^([^\t]+)\t(.+)$")
  requests[#requests + 1] = {path, {["Authorization"] = "Bearer " .. token}}
end
local method = os.getenv("BENCH_METHOD") or "GET"
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))

request = function()
  local chosen = requests[math.random(#requests)]
  return wrk.format(method, chosen[1], chosen[2], nil)
end
