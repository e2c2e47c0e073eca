package diffscan

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzRecover feeds arbitrary text through hunk recovery, fragment
// building and apply: no panic, no hang, and what comes out is
// consistent (hunk counts match their lines, fragment lines map inside
// their hunks).
func FuzzRecover(f *testing.F) {
	for _, glob := range []string{"../testdata/seeds/*.txt", "../testdata/diffscan/series/*.mbox"} {
		files, _ := filepath.Glob(glob)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("--- a/x.c\n+++ b/x.c\n@@ -1,2 +1,2 @@\n {\n-a\n+b\n"))
	f.Add([]byte("> --- a/x.c\n> +++ b/x.c\n> @@ -1 +1 @@\nreview\n> -a\n> +b\n"))
	f.Add([]byte("@@ -0,0 +1 @@\n+}\n}}}\n@@ -5,3 +5,3 @@\n*/ {\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		s := Read("fuzz", data, Options{})
		for _, p := range s.Patches {
			for _, fd := range p.Files {
				for _, h := range fd.Hunks {
					old, nw := 0, 0
					for _, l := range h.Lines {
						switch l.Op {
						case ' ':
							old++
							nw++
						case '-':
							old++
						case '+':
							nw++
						default:
							t.Fatalf("line op %q", l.Op)
						}
					}
					if old != h.OldLines || nw != h.NewLines {
						t.Fatalf("%s has %d old and %d new lines", h.Header(), old, nw)
					}
				}
				for _, side := range []Side{Old, New} {
					fr := BuildFragment(fd, side)
					lines := 0
					for _, c := range fr.Src {
						if c == '\n' {
							lines++
						}
					}
					for i := 1; i <= lines; i++ {
						real, h := fr.Real(i)
						if real == 0 {
							continue
						}
						start, n := h.NewStart, h.NewLines
						if side == Old {
							start, n = h.OldStart, h.OldLines
						}
						if real < start || real >= start+n {
							t.Fatalf("fragment line %d maps to %d, outside %s", i, real, h.Header())
						}
					}
				}
				Apply(data, fd)
			}
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("took %s on %d bytes", d, len(data))
		}
	})
}
