#!/usr/bin/env bash
# promoedge against a plain OPA server, side by side in one run on the same
# machine: promoedge's POST /v1/evaluate (every campaign checked, the cart
# priced) against `opa run --server` answering only which automatic
# campaigns are eligible under the same rules, each under wrk at 16
# connections for SECONDS.
#
# Usage: scripts/bench-opa.sh WORKLOAD [N] [SECONDS] [--all-auto]
#   WORKLOAD  evaluate: scripts/gen-bundle.py, N campaigns with small Rego rules
#             catalog:  scripts/gen-catalog.py, N campaigns with when: blocks;
#                       OPA runs the Rego that `promoctl build` generates
#   N         campaigns (1000); SECONDS per side (10)
# Prints one line per side ("promoedge evaluate: R req/s, ...",
# "opa eligibility: R req/s, ...") and the ratio last; scripts/bench-table.sh
# reads them.
#
# The OPA server is the official CLI at the version go.mod names (the engine
# promoedge embeds), installed with `go install` into .bench/tools on first
# use; OPA_BIN names another. wrk comes from apt-get when missing. The
# binaries are bin/promoedge and bin/promoctl as `make build` left them
# (built when missing; the make targets build them first).
set -euo pipefail
cd "$(dirname "$0")/.."
workload=${1:?usage: bench-opa.sh evaluate|catalog [N] [SECONDS] [--all-auto]}
n=${2:-1000}; secs=${3:-10}; extra=${4:-}
case $workload in evaluate|catalog) ;; *) echo "unknown workload $workload: evaluate or catalog" >&2; exit 2 ;; esac

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; } >/dev/null 2>&1
opa_version=$(go list -m -f '{{.Version}}' github.com/open-policy-agent/opa)
opa=${OPA_BIN:-$PWD/.bench/tools/opa-$opa_version}
if [ ! -x "$opa" ]; then
  tools=$(mktemp -d)
  GOBIN=$tools go install "github.com/open-policy-agent/opa@$opa_version"
  mkdir -p "$(dirname "$opa")" && mv "$tools/opa" "$opa" && rmdir "$tools"
fi
[ -x bin/promoedge ] || go build -o bin/promoedge ./cmd/promoedge
[ -x bin/promoctl ] || go build -o bin/promoctl ./cmd/promoctl

work=$(mktemp -d); pe=; op=
trap 'kill $pe $op 2>/dev/null || true; rm -rf "$work"' EXIT

if [ "$workload" = evaluate ]; then
  python3 scripts/gen-bundle.py "$work" -n "$n" $extra
else
  python3 scripts/gen-catalog.py "$work" -n "$n" $extra
  bin/promoctl build -o "$work/built.tar.gz" "$work/bundle" >/dev/null
  mkdir -p "$work/opa" && tar -xzf "$work/built.tar.gz" -C "$work/opa" 2>/dev/null  # its paths start with /
  python3 scripts/gen-catalog.py --decide "$work/opa"
fi

port=$((20000 + RANDOM % 10000))
bin/promoedge serve --listen 127.0.0.1:$port --data "$work/data" --bundle "$work/bundle" >"$work/pe.log" 2>&1 & pe=$!
"$opa" run --server --addr 127.0.0.1:$((port + 1)) --log-level error "$work/opa" >"$work/opa.log" 2>&1 & op=$!
pe_url=http://127.0.0.1:$port/v1/evaluate
opa_url=http://127.0.0.1:$((port + 1))/v1/data/promo/decide/eligible
for _ in $(seq 150); do
  curl -sf "127.0.0.1:$port/ready" >/dev/null 2>&1 && curl -sf "127.0.0.1:$((port + 1))/health" >/dev/null 2>&1 && break
  sleep 0.2
done

# Both sides must answer before either is timed.
curl -sf -H 'Content-Type: application/json' --data @"$work/evaluate.json" "$pe_url" >"$work/pe.out" ||
  { echo "promoedge evaluate failed"; tail -5 "$work/pe.log"; exit 1; }
curl -sf --data @"$work/opa_input.json" "$opa_url" >"$work/opa.out" ||
  { echo "opa failed"; tail -5 "$work/opa.log"; exit 1; }
python3 - "$work/pe.out" "$work/opa.out" <<'PY'
import json, sys
pe, opa = (json.load(open(p)) for p in sys.argv[1:3])
applied = len({a["campaign"] for a in pe["applied"]})
by_rule = sum(1 for r in pe["rejected"] if r.get("reason") == "rule")
print(f"promoedge: {applied} applied, {by_rule} rejected by their rule; opa: {len(opa.get('result', []))} eligible")
PY

# wrk posts the body from a Lua script.
lua() { printf 'wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' \
  "$(python3 -c 'import json, sys; print(json.dumps(open(sys.argv[1]).read()))' "$1")"; }
lua "$work/evaluate.json" >"$work/pe.lua"
lua "$work/opa_input.json" >"$work/opa.lua"
run() { wrk -t2 -c16 -d"${secs}s" --latency -s "$1" "$2"; }
summary() { awk '/Requests\/sec/ {r=$2} / 50%/ {p50=$2} / 99%/ {p99=$2} END {print r " req/s, p50 " p50 ", p99 " p99}'; }
w1=$(run "$work/pe.lua" "$pe_url" | summary)
w2=$(run "$work/opa.lua" "$opa_url" | summary)
echo "promoedge evaluate: $w1"
echo "opa eligibility:    $w2"
python3 -c 'import sys; a, b = (float(x.split()[0]) for x in sys.argv[1:3]); print(f"ratio promoedge/opa = {a / b:.2f} ({sys.argv[3]})")' \
  "$w1" "$w2" "$n-campaign $workload${extra:+ $extra}"
