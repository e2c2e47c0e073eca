//go:build cgo

package parse

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	sitter "github.com/smacker/go-tree-sitter"
)

// kernelDir finds an unpacked Linux tree for the benchmarks: $LOCKLINT_KERNEL,
// or the copy bench/kernel.sh unpacks from Debian's linux-source-6.1.
func kernelDir(b *testing.B) string {
	for _, d := range []string{os.Getenv("LOCKLINT_KERNEL"), "../bench/linux"} {
		if d == "" {
			continue
		}
		if st, err := os.Stat(filepath.Join(d, "mm")); err == nil && st.IsDir() {
			return d
		}
	}
	b.Skip("no kernel tree: set LOCKLINT_KERNEL or run bench/kernel.sh")
	return ""
}

func loadMM(b *testing.B) ([][]byte, int64) {
	files, err := Sources([]string{filepath.Join(kernelDir(b), "mm")})
	if err != nil {
		b.Fatal(err)
	}
	var srcs [][]byte
	var total int64
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		srcs = append(srcs, src)
		total += int64(len(src))
	}
	return srcs, total
}

// BenchmarkTreeSitterMM is the floor: tree-sitter's bare parse of mm/.
func BenchmarkTreeSitterMM(b *testing.B) {
	srcs, total := loadMM(b)
	p := sitter.NewParser()
	p.SetLanguage(language())
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, src := range srcs {
			t, err := p.ParseCtx(context.Background(), nil, src)
			if err != nil {
				b.Fatal(err)
			}
			t.Close()
		}
	}
}

// BenchmarkParseFileMM is the front end on mm/: prep, parse, flatten, IR.
func BenchmarkParseFileMM(b *testing.B) {
	srcs, total := loadMM(b)
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, src := range srcs {
			if _, err := ParseFile(context.Background(), "x.c", src); err != nil {
				b.Fatal(err)
			}
		}
	}
}
