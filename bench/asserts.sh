#!/usr/bin/env bash
# Mine check/asserted.tsv from a Linux tree: the exported functions that
# assert a lock held on their way in (lockdep_assert_held() and friends),
# which the asserted-held check uses for callees the input does not define.
# The table holds names and lock expressions only, no kernel code.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/tree.sh
root=$(pwd)
(cd "$tree" && go run "$root/bench/asserts" .) > check/asserted.tsv.new
mv check/asserted.tsv.new check/asserted.tsv
wc -l check/asserted.tsv
