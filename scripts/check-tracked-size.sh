#!/usr/bin/env bash
# Fails when git tracks a file over 1 MiB outside a testdata/ folder: build
# outputs (the promoedge and promoctl binaries once were) stay out of the
# repository. `make test` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=$((1024 * 1024))
bad=0
while IFS= read -r -d '' f; do
	case "/$f" in */testdata/*) continue ;; esac
	[ -f "$f" ] || continue
	size=$(stat -c %s "$f")
	if [ "$size" -gt "$limit" ]; then
		echo "tracked file over 1 MiB outside testdata/: $f ($size bytes)" >&2
		bad=1
	fi
done < <(git ls-files -z)
exit "$bad"
