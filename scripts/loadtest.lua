-- wrk script: alternate "list my files" and "download URL" requests as one authenticated user.
-- Usage: wrk ... -s scripts/loadtest.lua URL -- TOKEN FILE_ID
local token, file_id
local n = 0

function init(args)
  token, file_id = args[1], args[2]
end

function request()
  n = n + 1
  local path = (n % 2 == 0) and "/files?scope=owned&limit=50" or ("/files/" .. file_id .. "/download-url")
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
