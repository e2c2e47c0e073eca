package check

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

// BenchmarkCheckMM is the engine alone over mm/ of a kernel tree (the
// parse is done once, outside the timer). Compare with
// parse.BenchmarkParseFileMM on the same files: bench/kernel.sh prints the
// ratio.
func BenchmarkCheckMM(b *testing.B) {
	dir := os.Getenv("LOCKLINT_KERNEL")
	if dir == "" {
		dir = "../bench/linux"
	}
	paths, err := parse.Sources([]string{filepath.Join(dir, "mm")})
	if err != nil || len(paths) == 0 {
		b.Skip("no kernel tree: set LOCKLINT_KERNEL or run bench/kernel.sh")
	}
	var files []*parse.File
	var total int64
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		f, err := parse.ParseFile(context.Background(), p, src)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, f)
		total += int64(len(src))
	}
	set, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Run(set, files)
	}
}
