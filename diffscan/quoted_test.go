package diffscan

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnquoteC(t *testing.T) {
	for _, c := range []struct {
		in, name, rest string
		ok             bool
	}{
		{`"a/mm/nl\nx.c"`, "a/mm/nl\nx.c", "", true},
		{`"a/t\tb \"q\" back\\slash.c" b/x`, "a/t\tb \"q\" back\\slash.c", " b/x", true},
		{`"a/caf\303\251.c"`, "a/café.c", "", true},
		{`"a/\001\177.c"`, "a/\x01\x7f.c", "", true},
		{`"a/x.c`, "", `"a/x.c`, false},     // not closed
		{`"a/\q.c"`, "", `"a/\q.c"`, false}, // not an escape git writes
		{`"a/\8.c"`, "", `"a/\8.c"`, false},
		{`"a/\47.c"`, "", `"a/\47.c"`, false}, // octal is three digits
		{`"a/\`, "", `"a/\`, false},
	} {
		name, rest, ok := unquoteC(c.in)
		if name != c.name || rest != c.rest || ok != c.ok {
			t.Errorf("unquoteC(%s) = %q, %q, %v; want %q, %q, %v", c.in, name, rest, ok, c.name, c.rest, c.ok)
		}
	}
	for _, c := range []struct{ in, old, nw string }{
		{`a/mm/x.c b/mm/x.c`, "mm/x.c", "mm/x.c"},
		{`a/mm/sp ace.c b/mm/sp ace.c`, "mm/sp ace.c", "mm/sp ace.c"},
		{`"a/mm/nl\nx.c" "b/mm/nl\nx.c"`, "mm/nl\nx.c", "mm/nl\nx.c"},
		{`"a/mm/q\"x.c" b/mm/plain.c`, "mm/q\"x.c", "mm/plain.c"},
		{`a/mm/plain.c "b/mm/t\tx.c"`, "mm/plain.c", "mm/t\tx.c"},
		{`"a/broken`, "", ""},
	} {
		if o, n := gitNames(c.in); o != c.old || n != c.nw {
			t.Errorf("gitNames(%s) = %q, %q; want %q, %q", c.in, o, n, c.old, c.nw)
		}
	}
	for in, want := range map[string]string{
		`"a/mm/nl\nx.c"`: "a/mm/nl\nx.c",
		"\"a/mm/nl\\nx.c\"\t2024-01-02 10:11:12.000000000 +0100": "a/mm/nl\nx.c",
		"\"b/x.c\"\r":                         "b/x.c",
		`"unclosed`:                           `"unclosed`,
		"fs/exec.c\tThu Oct 14 09:50:25 1999": "fs/exec.c",
	} {
		if got := fileName(in); got != want {
			t.Errorf("fileName(%q) = %q, want %q", in, got, want)
		}
	}
}

const nlFileBug = "void f(struct s *p)\n{\n\tspin_lock(&p->lock);\n\tspin_lock(&p->lock);\n}\n"

// A staged file named with a newline (git quotes its name in the diff)
// is read and analyzed, as fragments and with the trees, not dropped as
// an unrecoverable hunk. On a real `git diff --cached`.
func TestQuotedNameGitDiff(t *testing.T) {
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	name := "mm/nl\nx.c"
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(gitBin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	git("init", "-q")
	if err := os.MkdirAll(filepath.Join(dir, "mm"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(nlFileBug), 0o644); err != nil {
		t.Skipf("cannot make a file named with a newline here: %v", err)
	}
	git("add", "--", name)
	text := git("diff", "--cached", "--no-color", "--no-renames", "-U3")
	if !strings.Contains(text, `"b/mm/nl\nx.c"`) {
		t.Fatalf("git did not quote the name:\n%s", text)
	}
	set := defaultRules(t)
	for _, a := range []*Analyzer{
		{Set: set},
		{Set: set, Tree: mapTree{}, Post: DirTree(dir)},
	} {
		s := FromMessages("staged changes", []*Message{{Source: "staged changes", Body: text, Line: 1, BodyLine: 1}}, nil, Options{})
		r := a.Run(context.Background(), s)
		if s.Unrecovered != 0 || r.Unchecked != 0 || len(r.Diags) != 0 {
			t.Errorf("tree %v: unrecovered %d, unchecked %d, diags %v", a.Tree != nil, s.Unrecovered, r.Unchecked, r.Diags)
		}
		if len(r.Findings) != 1 || r.Findings[0].File != name || r.Findings[0].Line != 4 || r.Findings[0].Rule != "double-acquire" ||
			r.Findings[0].Status != "introduced" {
			t.Errorf("tree %v: findings %q", a.Tree != nil, show(r.Findings))
		}
	}
}
