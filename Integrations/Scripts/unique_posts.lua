-- Seed 002's unique_posts.lua with one change: its contract id "CT-%012s" pads with spaces, which the
-- settlement service rightly refuses (422: a contract id is [A-Za-z0-9_:-]{8,32}); "CT-%s" sends the same digits.
-- wrk script: every request is a new, valid settlement instruction (unique contract and position), so each
-- one is booked upstream once. Headers follow the seed gateway; a gateway that needs an Idempotency-Key
-- gets a unique one. Usage: wrk -t1 -c32 -d20s -s unique_posts.lua http://127.0.0.1:18080/v1/settlements/sync
local n = 0
local thread_id = 0
setup = function(thread) thread:set("tid", thread_id); thread_id = thread_id + 1 end
request = function()
  n = n + 1
  local id = string.format("%d%08d", tid or 0, n)
  local body = string.format('{"settlement_run_id":"SR20260000000001","contract_id":"CT-%s","position_mwh":%d.125,"settlement_price":42.5,"timestamp_utc":"2026-01-15T10:00:00Z"}', id, n % 90000)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["X-Settlement-Run-ID"] = "SR20260000000001",
    ["X-Trader-Scope"] = "desk-7:settlements:write",
    ["Idempotency-Key"] = "k-" .. id,
  }, body)
end
