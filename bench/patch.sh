#!/usr/bin/env bash
# Speed per patch against the kernel's scripts/checkpatch.pl, on the same
# 14 patches of the same files, in one run: each patch adds a comment line
# at a quarter, half and three quarters of one mm/ file (3 hunks).
#
#   bench/patch.sh             # unpacks the tree into bench/linux if needed
#   LOCKLINT_KERNEL=~/linux bench/patch.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/tree.sh
out=$(pwd)/bench/out/patches
rm -rf "$out" && mkdir -p "$out/a" "$out/b"
go build -o bench/out/locklint ./cmd/locklint

files=$(cd "$tree" && ls mm/*.c | head -14)
i=0
for f in $files; do
	i=$((i + 1))
	mkdir -p "$out/a/mm" "$out/b/mm"
	cp "$tree/$f" "$out/a/$f"
	n=$(wc -l < "$tree/$f")
	awk -v n="$n" 'NR == int(n/4) || NR == int(n/2) || NR == int(3*n/4) { print "/* bench */" } { print }' "$tree/$f" > "$out/b/$f"
	p=$(printf '%s/%04d.patch' "$out" "$i")
	{
		printf 'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n'
		printf 'From: Bench <bench@example.org>\nSubject: [PATCH %d/14] %s: comments\n\n' "$i" "$f"
		printf 'Three comments.\n\nSigned-off-by: Bench <bench@example.org>\n---\n'
		(cd "$out" && diff -u --label "a/$f" --label "b/$f" "a/$f" "b/$f" || true) | sed "1i diff --git a/$f b/$f"
		printf -- '-- \n2.43.0\n\n'
	} > "$p"
done
patches=$(ls "$out"/*.patch)
cat $patches > "$out/series.mbox"

# best of 5 for each tool, one invocation over the 14 patches
best() {
	local best=999999
	for _ in 1 2 3 4 5; do
		local s e ms
		s=$(date +%s%N)
		"$@" > /dev/null 2>&1 || true
		e=$(date +%s%N)
		ms=$(( (e - s) / 1000000 ))
		[ "$ms" -lt "$best" ] && best=$ms
	done
	echo "$best"
}
ll=$(best bench/out/locklint check $patches)
llt=$(best bench/out/locklint check --tree "$tree" "$out/series.mbox")
cp=$(cd "$tree" && best perl scripts/checkpatch.pl -q $patches)
echo "14 patches, 42 hunks, the same files, best of 5:"
printf 'locklint (fragments)     %5d ms  %6.1f ms/patch\n' "$ll" "$(echo "$ll / 14" | bc -l)"
printf 'locklint --tree (series) %5d ms  %6.1f ms/patch\n' "$llt" "$(echo "$llt / 14" | bc -l)"
printf 'checkpatch.pl            %5d ms  %6.1f ms/patch\n' "$cp" "$(echo "$cp / 14" | bc -l)"
printf 'ratio: checkpatch/locklint = %.1fx (fragments), %.1fx (--tree)\n' "$(echo "$cp / $ll" | bc -l)" "$(echo "$cp / $llt" | bc -l)"
