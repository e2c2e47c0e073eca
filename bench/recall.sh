#!/usr/bin/env bash
# Recall on real code, both ways the project measures it: real lock fixes
# reversed onto Linux 6.1 (../shared/tools/realfix.py over
# ../shared/realfix, or REALFIX=dir for a set of your own), and bugs
# planted one at a time into copies of real files (../shared/tools/mutate.py),
# for each seed given (fresh random seeds when none).
#
#   bench/recall.sh                 # realfix, then mutation with two random seeds
#   bench/recall.sh 777 31337       # mutation with these seeds
#   N=20 bench/recall.sh            # sites per kind (default 40)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/tree.sh
tools=${LOCKLINT_TOOLS:-../shared/tools}
cases=${REALFIX:-../shared/realfix}
mkdir -p bench/out
go build -o bench/out/locklint ./cmd/locklint
bin=$(pwd)/bench/out/locklint
if [ -d "$cases" ]; then
	echo "== real fixes ($cases)"
	{ python3 "$tools/realfix.py" "$bin" "$tree" "$cases" || true; } | tee bench/out/realfix.txt | tail -1
fi
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=("$RANDOM$RANDOM" "$RANDOM$RANDOM")
for s in "${seeds[@]}"; do
	echo "== planted bugs, seed $s"
	python3 "$tools/mutate.py" "$bin" "$tree" "${N:-40}" "$s" > "bench/out/mutate-$s.txt" || true
	tail -6 "bench/out/mutate-$s.txt"
done
