-- wrk script: requests to the given paths in turn, with a bearer token unless it is "-".
-- Usage: wrk ... -s scripts/loadtest.lua URL -- TOKEN PATH [PATH ...]
local token, paths
local n = 0

function init(args)
  token, paths = args[1], {}
  for i = 2, #args do paths[#paths + 1] = args[i] end
end

function request()
  n = n + 1
  local headers = {}
  if token ~= "-" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", paths[(n - 1) % #paths + 1], headers)
end
