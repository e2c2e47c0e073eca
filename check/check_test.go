package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

var wantRe = regexp.MustCompile(`want((?:\s+"[^"]+")+)`)
var quoted = regexp.MustCompile(`"([^"]+)"`)

// expectations reads `/* want "rule-id" ... */` comments: each names a
// finding expected on its line; `"rule-id error"` asks for that severity
// too. want counts by line and rule; sev holds the severities asked for.
func expectations(src []byte) (want, sev map[string]int) {
	want, sev = map[string]int{}, map[string]int{}
	for i, line := range strings.Split(string(src), "\n") {
		for _, m := range wantRe.FindAllStringSubmatch(line, -1) {
			for _, q := range quoted.FindAllStringSubmatch(m[1], -1) {
				rule, severity, ok := strings.Cut(q[1], " ")
				want[fmt.Sprintf("%d:%s", i+1, rule)]++
				if ok {
					sev[fmt.Sprintf("%d:%s %s", i+1, rule, severity)]++
				}
			}
		}
	}
	return want, sev
}

// TestWant runs the default rules over each testdata/check file and
// compares the findings with the want comments: a missing finding and an
// extra one both fail.
func TestWant(t *testing.T) {
	set, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../testdata/check/*.c")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parse.ParseFile(context.Background(), path, src)
			if err != nil {
				t.Fatal(err)
			}
			for _, fn := range f.Functions {
				if len(fn.ParseErrors) > 0 {
					t.Fatalf("%s does not parse cleanly at %v", fn.Name, fn.ParseErrors)
				}
			}
			want, wantSev := expectations(src)
			got, gotSev := map[string]int{}, map[string]int{}
			var all []string
			for _, fd := range Run(set, []*parse.File{f}) {
				got[fmt.Sprintf("%d:%s", fd.Line, fd.Rule)]++
				gotSev[fmt.Sprintf("%d:%s %s", fd.Line, fd.Rule, fd.Severity)]++
				all = append(all, fd.String())
				for _, n := range fd.Trace {
					all = append(all, fmt.Sprintf("    %s:%d: %s", n.File, n.Line, n.Note))
				}
			}
			var problems []string
			for k, n := range want {
				if got[k] < n {
					problems = append(problems, "missing "+k)
				}
			}
			for k, n := range got {
				if want[k] < n {
					problems = append(problems, "unexpected "+k)
				}
			}
			for k, n := range wantSev {
				if gotSev[k] < n {
					problems = append(problems, "missing "+k)
				}
			}
			sort.Strings(problems)
			if len(problems) > 0 {
				t.Errorf("%s\nall findings:\n%s", strings.Join(problems, "\n"), strings.Join(all, "\n"))
			}
		})
	}
}
