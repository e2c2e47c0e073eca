package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var elapsed = regexp.MustCompile(`"elapsed_ms": \d+`)

// TestGolden runs check on one plain C input and one series (an mbox with
// a cover letter, four patches, one quoted-printable, one with CRLF line
// ends, and a reply that quotes a patch) in every format.
func TestGolden(t *testing.T) {
	inputs := map[string]string{
		"plain":  "../../testdata/check/swapin_racy.c",
		"series": "../../testdata/diffscan/series/series.mbox",
	}
	for name, in := range inputs {
		for _, format := range []string{"text", "json", "sarif", "github", "checkstyle"} {
			t.Run(name+"."+format, func(t *testing.T) {
				code, stdout, stderr := runCLI(t, "check", "--format", format, "--color", "never", in)
				if code != exitFindings {
					t.Errorf("exit %d, stderr %s", code, stderr)
				}
				got := elapsed.ReplaceAllString(stdout, `"elapsed_ms": 0`)
				path := filepath.Join("../../testdata/golden", name+"."+format)
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./cmd/locklint -run Golden -update)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from %s:\n%s", format, path, diffLines(string(want), got))
				}
			})
		}
	}
}

// diffLines shows the first lines that differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + itoa(i+1) + ":\n want " + a + "\n  got " + b
		}
	}
	return ""
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
