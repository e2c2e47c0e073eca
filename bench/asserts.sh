#!/usr/bin/env bash
# Mine check/asserted.tsv from a Linux tree: the exported functions that
# assert a lock held on their way in (lockdep_assert_held() and friends),
# which the asserted-held check uses for callees the input does not define.
# The table holds names and lock expressions only, no kernel code.
#
# A wrapper inherits the assertion of a callee in another file through the
# table itself, so each round can add entries: the script runs rounds
# until the table stops changing (at most 8), which makes its output the
# same whatever table it started from.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/tree.sh
root=$(pwd)
for round in 1 2 3 4 5 6 7 8; do
	(cd "$tree" && go run "$root/bench/asserts" .) > check/asserted.tsv.new
	if cmp -s check/asserted.tsv.new check/asserted.tsv; then
		rm check/asserted.tsv.new
		echo "settled after $round rounds"
		break
	fi
	mv check/asserted.tsv.new check/asserted.tsv
done
wc -l check/asserted.tsv
