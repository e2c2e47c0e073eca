#!/usr/bin/env bash
# Output must be byte-identical whatever the scheduling: scans a real
# tree (mm/ of Linux 6.1 by default) with -j 1, 2 and 8, in text and json,
# a few times each, and compares the bytes.
#
#   bench/determinism.sh             # mm/ of bench/linux (unpacked if needed)
#   bench/determinism.sh fs kernel   # other directories of the tree
#   RUNS=5 bench/determinism.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/tree.sh
mkdir -p bench/out
go build -o bench/out/locklint ./cmd/locklint
runs=${RUNS:-2}
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=(mm)
status=0
for d in "${dirs[@]}"; do
	for format in text json; do
		ref=""
		for j in 1 2 8; do
			for r in $(seq "$runs"); do
				out=bench/out/determinism-$format-j$j-$r.out
				(cd "$tree" && "$OLDPWD/bench/out/locklint" check --format "$format" -j "$j" "$d") 2>/dev/null |
					sed -E 's/"elapsed_ms": [0-9]+/"elapsed_ms": 0/' > "$out" || true
				if [ -z "$ref" ]; then
					ref=$out
				elif ! cmp -s "$ref" "$out"; then
					echo "$d $format: -j $j run $r differs from $(basename "$ref"):"
					diff "$ref" "$out" | head -20
					status=1
				fi
			done
		done
		printf '%-8s %-5s %d runs at -j 1, 2, 8: %s (%d lines)\n' "$d" "$format" $((runs * 3)) \
			"$([ $status = 0 ] && echo identical || echo DIFFERENT)" "$(wc -l < "$ref")"
	done
done
exit $status
