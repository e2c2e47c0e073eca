//go:build cgo

package parse

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden IR dumps in testdata/parse")

// dumpFile renders every function of a file, then the file-level parse
// problems, as the golden files hold them.
func dumpFile(f *File) string {
	var buf bytes.Buffer
	for _, fn := range f.Functions {
		Dump(&buf, fn)
	}
	for _, p := range f.TopLevelErrors {
		fmt.Fprintf(&buf, "top-level parse error %d:%d\n", p.Line, p.Col)
	}
	for _, p := range f.MissedBodies {
		fmt.Fprintf(&buf, "lost function body %d:%d\n", p.Line, p.Col)
	}
	return buf.String()
}

// TestGoldenIR parses each C file under testdata/parse and compares its IR
// dump with NAME.ir next to it; go test ./parse -update rewrites them.
func TestGoldenIR(t *testing.T) {
	files, err := filepath.Glob("../testdata/parse/*.c")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := ParseFile(context.Background(), "testdata/parse/"+name, src)
			if err != nil {
				t.Fatal(err)
			}
			// every construct in the corpus is one the front end must read
			// without an ERROR node
			for _, fn := range f.Functions {
				if len(fn.ParseErrors) > 0 {
					t.Errorf("%s: parse error in body at %v", fn.Name, fn.ParseErrors)
				}
			}
			if len(f.TopLevelErrors) > 0 || len(f.MissedBodies) > 0 {
				t.Errorf("file-level parse errors %v, lost bodies %v", f.TopLevelErrors, f.MissedBodies)
			}
			got := dumpFile(f)
			golden := strings.TrimSuffix(path, ".c") + ".ir"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./parse -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("IR differs from %s (go test ./parse -update rewrites it after review):\n%s", golden, lineDiff(string(want), got))
			}
		})
	}
}

// lineDiff shows the first lines where two dumps part.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			out = append(out, fmt.Sprintf("line %d:\n  want: %s\n  got:  %s", i+1, a, b))
			if len(out) == 8 {
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
