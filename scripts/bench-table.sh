#!/usr/bin/env bash
# One comparison table from the outputs `make bench` saved in .bench/:
# promoedge against the plain OPA server (evaluate, on small Rego rules and
# on a when: catalog) and against Redis with appendfsync always (durable
# redemptions), each ratio from one run of both on the same machine. Paste
# it into docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-.bench}
field() { # file, line pattern, awk program on that line
  [ -f "$dir/$1" ] && grep -E "$2" "$dir/$1" | tail -1 | awk "$3" || true
}
ratio() { python3 -c "import sys; a,b=sys.argv[1:]; print(f'{float(a)/float(b):.2f}×' if a and b else 'n/a')" "${1:-}" "${2:-}" 2>/dev/null || echo n/a; }
or() { [ -n "${1:-}" ] && echo "$1" || echo "not run"; }
# campaigns of a side-by-side run, from its last line "ratio ... (N-campaign ...)"
size() { local n; n=$(field "$1" '^ratio' '{print}' | sed -nE 's/.*\(([0-9]+)-campaign.*/\1/p')
  python3 -c "import sys; print(f'{int(sys.argv[1]):,}')" "${n:-1000}"; }

pe_mixed=$(field opa-mixed.txt '^promoedge evaluate' '{print $3}')
opa_mixed=$(field opa-mixed.txt '^opa eligibility' '{print $3}')
pe_auto=$(field opa-all-auto.txt '^promoedge evaluate' '{print $3}')
opa_auto=$(field opa-all-auto.txt '^opa eligibility' '{print $3}')
pe_cat=$(field catalog-mixed.txt '^promoedge evaluate' '{print $3}')
opa_cat=$(field catalog-mixed.txt '^opa eligibility' '{print $3}')
pe_cat_auto=$(field catalog-all-auto.txt '^promoedge evaluate' '{print $3}')
opa_cat_auto=$(field catalog-all-auto.txt '^opa eligibility' '{print $3}')
one=$(field redeem.txt '^one commit per redemption' '{print $5}')
group=$(field redeem.txt '^group commit' '{print $5}')
redis=$(field redeem.txt '^redis appendfsync always' '{print $4}')
http_redeem=$(field redeem.txt '^HTTP redeem' '{print $5" req/s, p50 "$8" p99 "$10}')
http_eval=$(field http.txt '^mixed-1000 ' '{print $2" req/s, p50 "$5" p99 "$7}')

cat <<TABLE

== promoedge against its peers ($(date -u +%Y-%m-%d), $(nproc) cores; each ratio from one run of both sides)

| what | promoedge | peer | ratio |
| --- | --- | --- | --- |
| evaluate, $(size opa-mixed.txt) campaigns (mixed), req/s over HTTP | $(or "$pe_mixed") | OPA server, eligibility only: $(or "$opa_mixed") | $(ratio "$pe_mixed" "$opa_mixed") |
| evaluate, $(size opa-all-auto.txt) automatic campaigns, req/s over HTTP | $(or "$pe_auto") | OPA server, eligibility only: $(or "$opa_auto") | $(ratio "$pe_auto" "$opa_auto") |
| evaluate, $(size catalog-mixed.txt)-campaign when: catalog (mixed), req/s over HTTP | $(or "$pe_cat") | OPA server, eligibility only: $(or "$opa_cat") | $(ratio "$pe_cat" "$opa_cat") |
| evaluate, $(size catalog-all-auto.txt)-campaign when: catalog, all automatic, req/s over HTTP | $(or "$pe_cat_auto") | OPA server, eligibility only: $(or "$opa_cat_auto") | $(ratio "$pe_cat_auto" "$opa_cat_auto") |
| durable redemptions/s, 64 callers, fsync per commit | $(or "$group") | Redis 7, appendfsync always, Lua script: $(or "$redis") | $(ratio "$group" "$redis") |
| durable redemptions/s, 64 callers | group commit: $(or "$group") | one commit per redemption: $(or "$one") | $(ratio "$group" "$one") |
| POST /v1/redemptions end to end, 64 connections | $(or "$http_redeem") | | |
| POST /v1/evaluate end to end, 1,000 campaigns, 16 connections | $(or "$http_eval") | | |
TABLE
