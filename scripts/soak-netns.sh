#!/usr/bin/env bash
# The fleet across real network namespaces (issue 6's `make soak`, part 2):
# N sidecars, each in its own netns on a bridge, under wrk load; nodes are
# killed with SIGKILL and restarted, and groups are cut off the network
# (their veth taken down) and healed. At the end the checker reads every
# node's ledger and compares the totals with the limits. Needs root.
# Usage: soak-netns.sh [NODES] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5}; secs=${2:-600}
work=$(mktemp -d)
go build -o "$work/promoedge" ./cmd/promoedge
bundle=scripts/soak-bundle
pids=()
cleanup() {
  for i in $(seq 1 "$n"); do
    [ -f "$work/pid$i" ] && kill -9 "$(cat "$work/pid$i")" 2>/dev/null || true
    ip netns del "pe$i" 2>/dev/null || true
    ip link del "vpe$i" 2>/dev/null || true
  done
  kill "${pids[@]}" 2>/dev/null || true
  ip link del br-pe 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; } >/dev/null 2>&1

ip link add br-pe type bridge
ip addr add 10.77.0.1/24 dev br-pe
ip link set br-pe up
addr() { echo "10.77.0.$((10 + $1))"; }
for i in $(seq 1 "$n"); do
  ip netns add "pe$i"
  ip link add "vpe$i" type veth peer name eth0 netns "pe$i"
  ip link set "vpe$i" master br-pe up
  ip netns exec "pe$i" ip addr add "$(addr "$i")/24" dev eth0
  ip netns exec "pe$i" ip link set eth0 up
  ip netns exec "pe$i" ip link set lo up
done

start() { # start node i
  local i=$1 join=""
  [ "$i" -gt 1 ] && join="--join $(addr 1):7946"
  ip netns exec "pe$i" "$work/promoedge" serve --listen "$(addr "$i"):8181" --data "$work/n$i" \
    --bundle "$bundle" --node "n$i" --cluster-bind "$(addr "$i"):7946" --admin-token soak $join >>"$work/n$i.log" 2>&1 &
  echo $! >"$work/pid$i"
  disown
}
for i in $(seq 1 "$n"); do start "$i"; sleep 0.3; done
for i in $(seq 1 "$n"); do
  for _ in $(seq 100); do curl -sf "http://$(addr "$i"):8181/ready" >/dev/null && break; sleep 0.1; done
done

for i in $(seq 1 "$n"); do
  CUSTOMERS=500 UNIT_PRICE=1000 wrk -t1 -c2 -d"${secs}s" -s scripts/redeem.lua "http://$(addr "$i"):8181" >"$work/wrk$i.txt" 2>&1 &
  pids+=($!)
done

rollback() { # roll back up to 20 redemptions of node i that applied a limited campaign
  python3 - "$(addr "$1")" <<'PY' || true
import json, random, sys, urllib.request
base = f"http://{sys.argv[1]}:8181"
ids = []
ledger = urllib.request.Request(base + "/v1/redemptions?format=ndjson&campaign=first-3000", headers={"Authorization": "Bearer soak"})
with urllib.request.urlopen(ledger, timeout=10) as r:
    for line in r:
        rec = json.loads(line)
        if rec["status"] == "redeemed":
            ids.append(rec["redemption_id"])
done = 0
for rid in random.sample(ids, min(20, len(ids))):
    req = urllib.request.Request(f"{base}/v1/redemptions/{rid}/rollback", method="POST")
    with urllib.request.urlopen(req, timeout=10):
        done += 1
print(done)
PY
}

crashes=0; partitions=0; rollbacks=0
end=$((SECONDS + secs))
while [ $SECONDS -lt $end ]; do
  sleep 5
  i=$((RANDOM % n + 1))
  rollbacks=$((rollbacks + $(rollback "$(( RANDOM % n + 1 ))" | tail -1 || echo 0)))
  if [ $((RANDOM % 2)) -eq 0 ]; then # SIGKILL and restart
    kill -9 "$(cat "$work/pid$i")" 2>/dev/null || true
    sleep 2; start "$i"; crashes=$((crashes + 1))
  else # cut a group of nodes off for a while, then heal
    group=$(seq 1 "$n" | shuf -n $((n / 2)) | tr '\n' ' ')
    for g in $group; do ip link set "vpe$g" down; done
    sleep $((RANDOM % 15 + 5))
    for g in $group; do ip link set "vpe$g" up; done
    partitions=$((partitions + 1))
  fi
done
wait "${pids[@]}" 2>/dev/null || true
pids=()
sleep 10 # let gossip settle

status=0
python3 - "$n" <<'PY' || status=$?
import json, sys, urllib.request
n = int(sys.argv[1])
limits = {"first-3000": ("redemptions", 3000), "budget-2000": ("budget", 200000)}
count, spent, total = {}, {}, 0
for i in range(1, n + 1):
    url = f"http://10.77.0.{10 + i}:8181/v1/redemptions?format=ndjson"
    req = urllib.request.Request(url, headers={"Authorization": "Bearer soak"})  # the ledger is an admin endpoint
    for line in urllib.request.urlopen(req, timeout=30):
        r = json.loads(line)
        if r["status"] != "redeemed":
            continue
        total += 1
        for c in r["campaigns"]:
            count[c["campaign"]] = count.get(c["campaign"], 0) + 1
            spent[c["campaign"]] = spent.get(c["campaign"], 0) + c["amount"]
ok = True
for camp, (kind, limit) in limits.items():
    used = count.get(camp, 0) if kind == "redemptions" else spent.get(camp, 0)
    print(f"{camp}: {kind} used {used} of {limit}")
    ok = ok and used <= limit
print(f"{total} redemptions in the ledgers of {n} nodes")
print("LIMITS HELD" if ok else "OVERSHOOT")
sys.exit(0 if ok else 1)
PY
echo "$crashes crashes, $partitions partitions, $rollbacks rollbacks in ${secs}s"
exit $status
