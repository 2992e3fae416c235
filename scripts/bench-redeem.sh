#!/usr/bin/env bash
# Durable redemptions, side by side in one run (issue 3's figures):
#  (a) the store's commit path alone at 64 callers: group commit against
#      one commit per redemption (Go benchmark), and a Redis server with
#      appendfsync always running an equivalent check-and-increment Lua
#      script at 64 clients (redis-benchmark);
#  (b) POST /v1/redemptions end to end over localhost HTTP at 64
#      connections (wrk), requests/s and p50/p99.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${SECS:-10}
need() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2"; } >/dev/null 2>&1; }
need redis-server redis-server
need redis-benchmark redis-tools
need wrk wrk
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

echo "== (a) commit path at 64 callers"
# GOGC=400 is what promoedge runs with (cmd/promoedge/main.go).
GOGC=400 go test -run '^$' -bench 'BenchmarkCommit' -benchtime "${secs}s" ./policies/store/ | tee "$work/go.txt" | grep Benchmark
one=$(awk '/batch=1\// {for(i=1;i<=NF;i++) if ($(i+1)=="commits/s") print $i}' "$work/go.txt")
group=$(awk '/batch=256\// {for(i=1;i<=NF;i++) if ($(i+1)=="commits/s") print $i}' "$work/go.txt")

port=$((30000 + RANDOM % 5000))
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly yes --appendfsync always \
  --dir "$work" --daemonize no --logfile "$work/redis.log" & pids+=($!)
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
# The same work as one redemption of the store: idempotency check, limit
# check, usage and per-customer counters, the record and a ledger entry.
lua='if redis.call("EXISTS", KEYS[1]) == 1 then return 0 end
local n = tonumber(redis.call("HGET", "usage:c", "count") or "0")
local spent = tonumber(redis.call("HGET", "usage:c", "spent") or "0")
if n + 1 > 1000000000 or spent + 250 > 100000000000000 then return -1 end
redis.call("HINCRBY", "usage:c", "count", 1)
redis.call("HINCRBY", "usage:c", "spent", 250)
redis.call("HINCRBY", "cust:c", ARGV[1], 1)
redis.call("SET", "rd:" .. KEYS[1], "{\"order_id\":\"o\",\"campaigns\":[{\"campaign\":\"c\",\"amount\":250}],\"discount\":250,\"total\":750}")
redis.call("RPUSH", "ledger", KEYS[1])
redis.call("SET", KEYS[1], "rd:" .. KEYS[1])
return 1'
redis-benchmark -p "$port" -c 64 -n $((secs * 20000)) -r 100000000 -q \
  EVAL "$lua" 1 "idem:__rand_int__" "u__rand_int__" 2>&1 | tr '\r' '\n' | grep 'requests per second' | tail -1 >"$work/redis.txt"
redis=$(awk '{for(i=1;i<=NF;i++) if ($i == "requests") print $(i-1)}' "$work/redis.txt")
echo "redis EVAL (appendfsync always, 64 clients): $redis req/s"

echo "== (b) POST /v1/redemptions over HTTP at 64 connections"
go build -o "$work/promoedge" ./cmd/promoedge
hport=$((port + 1))
"$work/promoedge" serve --listen 127.0.0.1:$hport --data "$work/data" --bundle scripts/redeem-bundle >"$work/pe.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do curl -sf localhost:$hport/ready >/dev/null && break; sleep 0.1; done
wrk -t2 -c64 -d${secs}s --latency -s scripts/redeem.lua http://127.0.0.1:$hport | tee "$work/wrk.txt"
http=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
p50=$(awk '/ 50%/ {print $2}' "$work/wrk.txt"); p99=$(awk '/ 99%/ {print $2}' "$work/wrk.txt")
echo
echo "one commit per redemption: $one commits/s"
echo "group commit (64 callers): $group commits/s  = $(python3 -c "print(f'{$group/$one:.1f}')")x one-per-commit"
echo "redis appendfsync always:  $redis req/s      promoedge/redis = $(python3 -c "print(f'{$group/$redis:.2f}')")"
echo "HTTP redeem (64 conns):    $http req/s, p50 $p50, p99 $p99"
