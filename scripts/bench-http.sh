#!/usr/bin/env bash
# POST /v1/evaluate over localhost HTTP on the performance workload
# (scripts/gen-bundle.py: a 20-line cart against 10, 100 and 1,000
# campaigns, mixed and all automatic): bin/promoedge serve on each bundle,
# wrk -t2 -c16 --latency, requests/s and p99; then the allocations of one
# request through the fasthttp handler (BenchmarkEvaluateHTTP, in-memory
# listener). wrk and the server share the machine's cores.
# Env: SECS (10), SIZES ("10 100 1000"), MIXES ("mixed all-auto"),
#      BENCHTIME for the Go part (2s).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${SECS:-10}
sizes=${SIZES:-10 100 1000}
mixes=${MIXES:-mixed all-auto}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; } >/dev/null 2>&1
[ -x bin/promoedge ] || go build -o bin/promoedge ./cmd/promoedge

work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

results=()
for mix in $mixes; do
  for n in $sizes; do
    name=$mix-$n
    flag=; [ "$mix" = all-auto ] && flag=--all-auto
    python3 scripts/gen-bundle.py "$work/$name" -n "$n" $flag >/dev/null
    port=$((20000 + RANDOM % 10000))
    bin/promoedge serve --listen 127.0.0.1:$port --data "$work/data-$name" --bundle "$work/$name/bundle" \
      >"$work/$name.log" 2>&1 & pid=$!
    for _ in $(seq 100); do curl -sf localhost:$port/ready >/dev/null 2>&1 && break; sleep 0.1; done
    curl -sf -XPOST -H 'Content-Type: application/json' --data @"$work/$name/evaluate.json" \
      localhost:$port/v1/evaluate >"$work/$name.out" || { echo "$name: evaluate failed"; tail -5 "$work/$name.log"; exit 1; }
    cat >"$work/$name.lua" <<LUA
wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"
wrk.body = $(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' "$work/$name/evaluate.json")
LUA
    out=$(wrk -t2 -c16 -d${secs}s --latency -s "$work/$name.lua" http://127.0.0.1:$port/v1/evaluate)
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '/ 50%/ {print $2}')
    p99=$(echo "$out" | awk '/ 99%/ {print $2}')
    errs=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
    line=$(printf '%-14s %10s req/s   p50 %-9s p99 %-9s %s' "$name" "$rps" "$p50" "$p99" "$errs")
    echo "$line"; results+=("$line")
  done
done

echo
echo "== allocations per request through the fasthttp handler (in-memory listener)"
go test -run '^$' -bench 'BenchmarkEvaluateHTTP' -benchmem -benchtime "${BENCHTIME:-2s}" ./sidecar/ |
  awk '/^BenchmarkEvaluateHTTP/ {
    name=$1; sub(/^BenchmarkEvaluateHTTP\//, "", name); sub(/-[0-9]+$/, "", name)
    for (i = 1; i <= NF; i++) { if ($(i+1) == "allocs/op") a=$i; if ($(i+1) == "ns/op") t=$i; if ($(i+1) == "cpu-µs/op") c=$i }
    printf "%-14s %8s allocs/op   %9.1f µs/op   %8s cpu-µs/op\n", name, a, t/1000, c }'

echo
echo "== wrk -t2 -c16 -d${secs}s, POST /v1/evaluate"
printf '%s\n' "${results[@]}"
