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
tree=${LOCKLINT_KERNEL:-bench/linux}
if [ ! -d "$tree/mm" ]; then
	tarball=/usr/src/linux-source-6.1.tar.xz
	if [ ! -f "$tarball" ]; then
		echo "no kernel tree: apt-get install -y linux-source-6.1, or set LOCKLINT_KERNEL" >&2
		exit 1
	fi
	mkdir -p "$tree"
	tar -xJf "$tarball" -C "$tree" --strip-components=1
fi
tree=$(cd "$tree" && pwd)
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
LOCKLINT_KERNEL=$tree go test -run '^$' -bench 'MM$' -benchtime 3x -count 3 -cpu 1 ./parse ./check |
	tee bench/out/parse-bench.txt |
	awk '/^Benchmark/ { n[$1]++; t[$1] += $3 } END {
		ts = t["BenchmarkTreeSitterMM"] / n["BenchmarkTreeSitterMM"]
		ir = t["BenchmarkParseFileMM"] / n["BenchmarkParseFileMM"]
		ck = t["BenchmarkCheckMM"] / n["BenchmarkCheckMM"]
		printf "front end at %.0f%% of tree-sitter'"'"'s speed; the engine adds %.0f%% to parsing\n", 100 * ts / ir, 100 * ck / ir }'
