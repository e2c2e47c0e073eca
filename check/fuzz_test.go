package check

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

// FuzzCheck runs the engine over whatever the front end makes of
// arbitrary input: no panic, no hang, findings inside the file.
func FuzzCheck(f *testing.F) {
	seeds, _ := filepath.Glob("../testdata/check/*.c")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("int f(void){ spin_lock(&a); if (x) return 1; spin_unlock(&a); return 0; }"))
	f.Add([]byte("int f(void){ while (1) { mutex_lock(&m); if (y) break; } do { } while (z); }"))
	// at and past the front end's nesting bound, and deep control flow
	rep := strings.Repeat
	d := parse.MaxNesting + 5
	f.Add([]byte("int f(void) { spin_lock(&l); " + rep("{", d) + " spin_unlock(&l); " + rep("}", d) + " return 0; }"))
	f.Add([]byte("int f(void) { spin_lock(&l); return " + rep("g(", d) + "x" + rep(")", d) + "; }"))
	f.Add([]byte("int f(int x) { if (x) spin_lock(&l);" + rep(" else if (x == 1) g();", 3000) + " if (x) spin_unlock(&l); return 0; }"))
	f.Add([]byte("int f(int x) { return " + rep("(x ? spin_trylock(&l) : ", d) + "0" + rep(")", d) + "; }"))
	set, err := rules.Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := parse.ParseFile(context.Background(), "fuzz.c", src)
		if err != nil {
			return
		}
		for _, fd := range Run(set, []*parse.File{file}) {
			if fd.Line < 1 || fd.File != "fuzz.c" || fd.Rule == "" || fd.Message == "" {
				t.Fatalf("malformed finding %+v", fd)
			}
		}
	})
}
