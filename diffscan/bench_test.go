package diffscan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// makePatch writes a git-style patch that adds a comment line at a
// quarter, half and three quarters of each file: three hunks a file.
func makePatch(files map[string]string) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: Bench <bench@example.org>\nSubject: [PATCH] bench: comments\n\n---\n")
	for _, name := range names {
		lines := strings.Split(strings.TrimSuffix(files[name], "\n"), "\n")
		fmt.Fprintf(&b, "diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n", name, name, name, name)
		added := 0
		prevEnd := 0
		for q := 1; q <= 3; q++ {
			at := len(lines) * q / 4 // insert before line index at
			from := max(at-3, prevEnd)
			to := min(at+3, len(lines))
			if from >= to || at <= prevEnd {
				continue
			}
			fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@\n", from+1, to-from, from+1+added, to-from+1)
			for i := from; i < to; i++ {
				if i == at {
					b.WriteString("+/* bench */\n")
				}
				b.WriteString(" " + lines[i] + "\n")
			}
			added++
			prevEnd = to
		}
	}
	b.WriteString("-- \n2.43.0\n")
	return b.String()
}

func benchFiles(b *testing.B, dir string, n int) map[string]string {
	var paths []string
	for _, glob := range []string{"*.c"} {
		m, _ := filepath.Glob(filepath.Join(dir, glob))
		paths = append(paths, m...)
	}
	sort.Strings(paths)
	if len(paths) < n {
		b.Skipf("%d files under %s, want %d", len(paths), dir, n)
	}
	files := map[string]string{}
	for _, p := range paths[:n] {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		files[filepath.ToSlash(filepath.Join(filepath.Base(dir), filepath.Base(p)))] = string(data)
	}
	return files
}

func benchPatch(b *testing.B, patch string, files int) {
	set := defaultRules(b)
	s := Read("bench.patch", []byte(patch), Options{})
	if n := len(s.Patches[0].Files); n != files || s.Unrecovered > 0 {
		b.Fatalf("%d files, %d unrecovered hunks", n, s.Unrecovered)
	}
	b.SetBytes(int64(len(patch)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := Read("bench.patch", []byte(patch), Options{})
		(&Analyzer{Set: set}).Run(context.Background(), s)
	}
}

// BenchmarkFragment14 reads a 14-file, 42-hunk patch of this repository's
// own C test files and analyzes it as fragments (no tree).
func BenchmarkFragment14(b *testing.B) {
	files := benchFiles(b, "../testdata/check", 11)
	for k, v := range benchFiles(b, "../testdata/parse", 3) {
		files[k] = v
	}
	benchPatch(b, makePatch(files), 14)
}

// BenchmarkFragment14Kernel does the same on 14 files of the kernel's
// mm/ (LOCKLINT_KERNEL, or the copy bench/kernel.sh unpacks).
func BenchmarkFragment14Kernel(b *testing.B) {
	dir := ""
	for _, d := range []string{os.Getenv("LOCKLINT_KERNEL"), "../bench/linux"} {
		if d != "" {
			if st, err := os.Stat(filepath.Join(d, "mm")); err == nil && st.IsDir() {
				dir = filepath.Join(d, "mm")
				break
			}
		}
	}
	if dir == "" {
		b.Skip("no kernel tree: set LOCKLINT_KERNEL or run bench/kernel.sh")
	}
	benchPatch(b, makePatch(benchFiles(b, dir, 14)), 14)
}

// TestMakePatchApplies keeps the benchmark's patch honest: it reads back
// with every hunk and applies to the files it was made from.
func TestMakePatchApplies(t *testing.T) {
	files := map[string]string{"a/x.c": strings.Repeat("int a;\n", 40), "a/y.c": strings.Repeat("int b;\n", 30)}
	s := Read("p", []byte(makePatch(files)), Options{})
	if s.Unrecovered != 0 || s.HunkCount() != 6 {
		t.Fatalf("hunks %d unrecovered %d %v", s.HunkCount(), s.Unrecovered, s.Diags)
	}
	for _, f := range s.Patches[0].Files {
		out, how := Apply([]byte(files[f.Name()]), f)
		for _, h := range how {
			if !h.ok || h.offset != 0 || h.fuzz != 0 {
				t.Errorf("%s: %+v", f.Name(), how)
			}
		}
		if strings.Count(string(out), "/* bench */") != 3 {
			t.Errorf("%s: %q", f.Name(), out)
		}
	}
}
