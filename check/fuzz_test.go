package check

import (
	"context"
	"os"
	"path/filepath"
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
