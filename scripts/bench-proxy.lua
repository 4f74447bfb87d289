-- wrk request mix for scripts/bench-proxy.sh: a Synapse-like blend of incremental and initial
-- syncs from many users (tokens in the header and in ?access_token=), event sends to many rooms,
-- federation transactions, media downloads and push rules reads and writes.
local users = {}
for i = 1, 200 do
  -- syt_<unpadded base64 of "userNNN">_<random>_<crc>
  local lp = string.format("user%03d", i)
  local b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  local bits, out = 0, {}
  local acc, n = 0, 0
  for c in lp:gmatch(".") do
    acc = acc * 256 + c:byte(); n = n + 8
    while n >= 6 do
      n = n - 6
      local idx = math.floor(acc / 2 ^ n) % 64
      out[#out + 1] = b64chars:sub(idx + 1, idx + 1)
    end
  end
  if n > 0 then
    local idx = (acc * 2 ^ (6 - n)) % 64
    out[#out + 1] = b64chars:sub(idx + 1, idx + 1)
  end
  users[i] = "syt_" .. table.concat(out) .. "_AbCdEfGhIjKlMnOpQrSt_0a1b2c"
end

local counter = 0
local body = '{"msgtype":"m.text","body":"hello"}'

request = function()
  counter = counter + 1
  local u = users[(counter % #users) + 1]
  local room = string.format("!room%03d:example.org", counter % 500)
  local kind = counter % 10
  if kind <= 3 then
    return wrk.format("GET", "/_matrix/client/v3/sync?since=s" .. counter .. "_1_2&timeout=0",
      { ["Authorization"] = "Bearer " .. u })
  elseif kind == 4 then
    return wrk.format("GET", "/_matrix/client/v3/sync?timeout=0&access_token=" .. u)
  elseif kind == 5 then
    return wrk.format("PUT", "/_matrix/client/v3/rooms/" .. room .. "/send/m.room.message/t" .. counter,
      { ["Authorization"] = "Bearer " .. u, ["Content-Type"] = "application/json" }, body)
  elseif kind == 6 then
    return wrk.format("PUT", "/_matrix/federation/v1/send/" .. counter,
      { ["Content-Type"] = "application/json" }, '{"pdus":[],"edus":[]}')
  elseif kind == 7 then
    return wrk.format("GET", "/_matrix/client/v1/media/download/example.org/media" .. (counter % 50),
      { ["Authorization"] = "Bearer " .. u })
  elseif kind == 8 then
    return wrk.format("GET", "/_matrix/client/v3/pushrules/", { ["Authorization"] = "Bearer " .. u })
  else
    return wrk.format("PUT", "/_matrix/client/v3/pushrules/global/override/rule" .. (counter % 20),
      { ["Authorization"] = "Bearer " .. u, ["Content-Type"] = "application/json" }, '{"actions":[]}')
  end
end

local non2xx = 0
response = function(status, headers, body)
  if status ~= 200 then non2xx = non2xx + 1 end
end
