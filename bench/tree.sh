# Sourced by the bench scripts, from the repository root: sets $tree to
# an unpacked Linux tree ($LOCKLINT_KERNEL, or bench/linux unpacked from
# Debian's linux-source-6.1 tarball when missing).
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
