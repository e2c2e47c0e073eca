package diffscan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var hunkWant = regexp.MustCompile(`want "([^"/]+)/([a-z]+)"`)

// wantsOfPatch reads `want "rule/severity"` comments on the new side of a
// patch's hunks: each is a finding expected on that new line.
func wantsOfPatch(t *testing.T, text string) map[string]int {
	t.Helper()
	want := map[string]int{}
	hdr := regexp.MustCompile(`^@@ -\d+(?:,\d+)? \+(\d+)`)
	n := 0
	for _, l := range strings.Split(text, "\n") {
		if m := hdr.FindStringSubmatch(l); m != nil {
			n, _ = strconv.Atoi(m[1])
			continue
		}
		if n == 0 || strings.HasPrefix(l, "---") || strings.HasPrefix(l, "+++") || strings.HasPrefix(l, "-") {
			continue
		}
		if m := hunkWant.FindStringSubmatch(l); m != nil {
			want[fmt.Sprintf("%d:%s/%s", n, m[1], m[2])]++
		}
		n++
	}
	return want
}

// reversed is the patch read backwards: the fix of the bug it introduces.
func reversed(text string) string {
	hdr := regexp.MustCompile(`^@@ -(\S+) \+(\S+) @@(.*)$`)
	var out []string
	for _, l := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "+++ "):
		case hdr.MatchString(l):
			m := hdr.FindStringSubmatch(l)
			l = "@@ -" + m[2] + " +" + m[1] + " @@" + m[3]
		case strings.HasPrefix(l, "-"):
			l = "+" + l[1:]
		case strings.HasPrefix(l, "+"):
			l = "-" + l[1:]
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func introduced(t *testing.T, name, text string) (map[string]int, string) {
	t.Helper()
	s := Read(name, []byte(text), Options{})
	if len(s.Patches) != 1 || s.Unrecovered != 0 {
		t.Fatalf("%s: %d patches, %d unrecovered: %v", name, len(s.Patches), s.Unrecovered, s.Diags)
	}
	for _, d := range s.Diags {
		t.Errorf("%s: the patch needed repair: %s", name, d.Text)
	}
	r := (&Analyzer{Set: defaultRules(t)}).Run(context.Background(), s)
	got := map[string]int{}
	var all []string
	for _, f := range r.Findings {
		all = append(all, fmt.Sprintf("%d:%d %s %s %s: %s", f.Line, f.Column, f.Rule, f.Severity, f.Status, f.Message))
		if f.Status == "introduced" {
			got[fmt.Sprintf("%d:%s/%s", f.Line, f.Rule, f.Severity)]++
		}
	}
	return got, strings.Join(all, "\n")
}

// TestHunkProofs checks each fragment shape of testdata/diffscan/hunkproof
// in both directions: the patch as written gives exactly the findings its
// want comments name, with their severity, as introduced; read backwards
// (the fix) it introduces nothing. The quiet_* patches want nothing either
// way (a release moved to a label, a conversion to guard(), a release
// replaced by a helper that unlocks).
func TestHunkProofs(t *testing.T) {
	files, _ := filepath.Glob("../testdata/diffscan/hunkproof/*.patch")
	if len(files) < 10 {
		t.Fatalf("only %d patches", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			text := string(b)
			want := wantsOfPatch(t, text)
			if len(want) == 0 && !strings.HasPrefix(filepath.Base(path), "quiet_") {
				t.Fatal("a bug shape with no want comment")
			}
			got, all := introduced(t, filepath.Base(path), text)
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
			sort.Strings(problems)
			if len(problems) > 0 {
				t.Errorf("%s\nall findings:\n%s", strings.Join(problems, "\n"), all)
			}
			if got, all := introduced(t, "fix-of-"+filepath.Base(path), reversed(text)); len(got) > 0 {
				t.Errorf("the fix (the patch backwards) is said to introduce %v\nall findings:\n%s", got, all)
			}
		})
	}
}

// The probe's line map: context lines pair up, and an added line knows
// the removed lines it replaces.
func TestLineMap(t *testing.T) {
	s := Read("t.patch", []byte(`--- a/x.c
+++ b/x.c
@@ -10,4 +10,4 @@
 	a();
-	goto unlock;
+	return 0;
 	b();
 	c();
`), Options{})
	m := newLineMap(s.Patches[0].Files[0])
	if m.oldToNew[10] != 10 || m.oldToNew[12] != 12 || !m.removed[11] || !m.added[11] {
		t.Errorf("map: %+v", m)
	}
	if r := m.replaced[11]; len(r) != 1 || !strings.Contains(r[0], "goto unlock") {
		t.Errorf("replaced: %q", r)
	}
	if !unlockLabel("out_unlock") || !unlockLabel("err_release") || unlockLabel("out") {
		t.Error("unlockLabel")
	}
}
