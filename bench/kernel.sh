#!/usr/bin/env bash
# Measures the C front end on the real Linux 6.1 tree (Debian's
# linux-source-6.1): parse-error share per directory, and parse+IR speed
# against tree-sitter's bare parse on the same files, on one core, as a
# ratio from one run.
#
#   bench/kernel.sh            # unpacks the tree into bench/linux if needed
#   LOCKLINT_KERNEL=~/linux bench/kernel.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/tree.sh
mkdir -p bench/out
go build -o bench/out/locklint ./cmd/locklint

echo "== parse-error share (functions whose body holds an ERROR or MISSING node)"
for d in mm kernel fs .; do
	printf '%-8s ' "$d"
	{ bench/out/locklint check --stats "$tree/$d" 2>&1 >/dev/null || true; } | grep 'functions with parse errors'
done

echo "== findings with the default rules (errors, warnings) and time on 2 cores"
for d in mm kernel fs; do
	start=$(date +%s.%N)
	bench/out/locklint check "$tree/$d" > "bench/out/findings-$d.txt" 2>&1 || true
	end=$(date +%s.%N)
	printf '%-8s %4d errors %4d warnings  %.1f s\n' "$d" \
		"$(grep -c ': error:' "bench/out/findings-$d.txt")" \
		"$(grep -c ': warning:' "bench/out/findings-$d.txt")" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
done
echo "findings per rule in mm/:"
grep -o '\[[a-z-]*\]$' bench/out/findings-mm.txt | sort | uniq -c | sort -rn

echo "== speed on mm/, one core: tree-sitter alone, prep+parse+IR, and the engine"
echo "(median of 6 interleaved runs: this machine's timings vary by a third from run to run)"
LOCKLINT_KERNEL=$tree go test -run '^$' -bench 'MM$' -benchtime 2x -count 6 -cpu 1 ./parse ./check > bench/out/parse-bench.txt
median() {
	grep "^$1 " bench/out/parse-bench.txt | awk '{ print $3 }' | sort -n |
		awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ts=$(median BenchmarkTreeSitterMM)
ir=$(median BenchmarkParseFileMM)
ck=$(median BenchmarkCheckMM)
awk -v ts="$ts" -v ir="$ir" -v ck="$ck" 'BEGIN {
	printf "tree-sitter %.0f ms, front end %.0f ms, engine %.0f ms\n", ts / 1e6, ir / 1e6, ck / 1e6
	printf "front end at %.0f%% of tree-sitter'"'"'s speed; the engine adds %.0f%% to parsing\n", 100 * ts / ir, 100 * ck / ir }'
