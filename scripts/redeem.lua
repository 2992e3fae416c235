-- wrk script: POST /v1/redemptions with a new order and idempotency key
-- every request. CUSTOMERS (default 5000) distinct customers, each cart one
-- line of 2 x UNIT_PRICE (default 1500) plus 5.99 shipping.
local n = 0
local customers = tonumber(os.getenv("CUSTOMERS") or "5000")
local price = tonumber(os.getenv("UNIT_PRICE") or "1500")
request = function()
  n = n + 1
  local key = string.format("%d-%d-%d", math.random(1, 1e9), os.time(), n)
  local body = '{"order_id":"o-' .. key .. '","idempotency_key":"' .. key .. '","customer":{"id":"c' .. (n % customers) .. '"},' ..
    '"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","categories":["x","y"],"quantity":2,"unit_price":' .. price .. '}],"shipping":{"amount":599}}}'
  return wrk.format("POST", "/v1/redemptions", {["Content-Type"] = "application/json"}, body)
end
