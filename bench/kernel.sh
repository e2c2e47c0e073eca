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
	bench/out/locklint check --stats "$tree/$d" 2>&1 | grep 'functions with parse errors'
done

echo "== speed on mm/, one core: tree-sitter alone vs prep+parse+IR"
LOCKLINT_KERNEL=$tree go test -run '^$' -bench 'MM$' -benchtime 3x -count 3 -cpu 1 ./parse |
	tee bench/out/parse-bench.txt |
	awk '/^Benchmark/ { n[$1]++; s[$1] += $(NF-1) } END {
		ts = s["BenchmarkTreeSitterMM"] / n["BenchmarkTreeSitterMM"]
		ir = s["BenchmarkParseFileMM"] / n["BenchmarkParseFileMM"]
		printf "tree-sitter %.2f MB/s, locklint front end %.2f MB/s, ratio %.0f%%\n", ts, ir, 100 * ir / ts }'
