package diffscan

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/locklint/locklint/parse"
)

func TestCheckPath(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"mm/mmap.c", true},
		{"./mm/mmap.c", true},
		{"mm/nl\nx.c", true},
		{"mm/sp ace.c", true},
		{"mm/..x.c", true},
		{"", false},
		{"/etc/passwd", false},
		{"\\etc\\passwd", false},
		{"../outside/secret.c", false},
		{"mm/../../outside/secret.c", false},
		{"mm/..", false},
		{"mm\\..\\..\\x.c", false},
		{"mm/x\x00.c", false},
		{".git/config", false},
		{"sub/.GIT/hooks/pre-commit", false},
		{strings.Repeat("a/", 3000) + "x.c", false},
	} {
		err := CheckPath(c.name)
		if (err == nil) != c.ok {
			t.Errorf("CheckPath(%q) = %v, want ok %v", c.name, err, c.ok)
		}
		if err != nil && !errors.Is(err, ErrUnsafePath) {
			t.Errorf("CheckPath(%q) = %v, not ErrUnsafePath", c.name, err)
		}
	}
}

// hostileTree makes dir/tree with a file, links inside and out of it, a
// FIFO and a directory, and dir/outside/secret.c next to it.
func hostileTree(t testing.TB) (tree, outside string) {
	t.Helper()
	dir := t.TempDir()
	tree, outside = filepath.Join(dir, "tree"), filepath.Join(dir, "outside")
	for _, d := range []string{filepath.Join(tree, "mm", "sub"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(outside, "secret.c"), secretFile)
	write(filepath.Join(tree, "mm", "ok.c"), "int ok;\n")
	links := map[string]string{
		"mm/in.c":      "ok.c",    // inside: followed
		"mm/sub/up.c":  "../ok.c", // inside, through ..
		"mm/abs_in.c":  filepath.Join(tree, "mm", "ok.c"),
		"mm/link.c":    "../../outside/secret.c",  // out, to a file that exists
		"mm/gone.c":    "../../outside/missing.c", // out, to one that does not
		"mm/abs.c":     filepath.Join(outside, "secret.c"),
		"mm/outdir":    "../../outside", // a directory out
		"mm/loop.c":    "loop.c",
		"mm/devzero.c": "/dev/zero",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(tree, filepath.FromSlash(name))); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(tree, "mm", "fifo.c"), 0o644); err != nil {
		t.Logf("no FIFO: %v", err)
	}
	return tree, outside
}

const secretFile = "void secret_fn(struct s *p)\n{\n\tint a;\n\tspin_lock(&p->lock);\n\tspin_lock(&p->lock);\n}\n"

// DirTree reads what is inside the tree and nothing else: a link out of
// it is refused before its target is looked at (so a missing target and
// an existing one answer the same), and only regular files are read.
func TestDirTreeStaysInside(t *testing.T) {
	tree, _ := hostileTree(t)
	d := DirTree(tree)
	for _, p := range []string{"mm/ok.c", "mm/in.c", "mm/sub/up.c", "mm/abs_in.c", "./mm/ok.c"} {
		if data, err := d.ReadFile(p); err != nil || string(data) != "int ok;\n" {
			t.Errorf("%s: %q, %v", p, data, err)
		}
	}
	for _, c := range []struct {
		path string
		want error
	}{
		{"mm/link.c", ErrOutsideTree},
		{"mm/gone.c", ErrOutsideTree},
		{"mm/abs.c", ErrOutsideTree},
		{"mm/outdir/secret.c", ErrOutsideTree},
		{"../outside/secret.c", ErrUnsafePath},
		{"mm/../../outside/secret.c", ErrUnsafePath},
		{"/etc/passwd", ErrUnsafePath},
		{"mm/devzero.c", ErrOutsideTree},
		{"mm", parse.ErrNotRegular},
		{"mm/missing.c", fs.ErrNotExist},
	} {
		data, err := d.ReadFile(c.path)
		if !errors.Is(err, c.want) || data != nil {
			t.Errorf("%s: %v (%d bytes), want %v", c.path, err, len(data), c.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") && !strings.Contains(c.path, "secret") {
			t.Errorf("%s: the error names the link's target: %v", c.path, err)
		}
	}
	if _, err := d.ReadFile("mm/loop.c"); err == nil || !strings.Contains(err.Error(), "symbolic links") {
		t.Errorf("a link to itself: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(tree, "mm", "fifo.c")); err == nil {
		if _, err := d.ReadFile("mm/fifo.c"); !errors.Is(err, parse.ErrNotRegular) {
			t.Errorf("a FIFO: %v", err)
		}
	}
	old := parse.MaxInputBytes
	parse.MaxInputBytes = 4
	defer func() { parse.MaxInputBytes = old }()
	if _, err := d.ReadFile("mm/ok.c"); !errors.Is(err, parse.ErrTooLarge) {
		t.Errorf("over the size limit: %v", err)
	}
}

// recordingTree remembers every name asked of it.
type recordingTree struct {
	Tree
	asked []string
}

func (r *recordingTree) ReadFile(p string) ([]byte, error) {
	r.asked = append(r.asked, p)
	return r.Tree.ReadFile(p)
}

// hostilePatch changes secret.c under several names that lead out of
// the tree: its hunk adds two acquisitions (a finding the fragment
// shows), and the file has two more that only the whole function shows.
func hostilePatch(old, nw string) string {
	return "diff --git a/x b/x\n--- " + old + "\n+++ " + nw + "\n@@ -1,3 +1,5 @@ void secret_fn(struct s *p)\n" +
		" void secret_fn(struct s *p)\n {\n+\tspin_lock(&p->lock);\n+\tspin_lock(&p->lock);\n \tint a;\n"
}

// A patch naming a file outside the tree (.., absolute, a link out of
// it) is analyzed exactly as it would be without a tree: as fragments,
// with a warning naming the patch and file. The Tree is never asked
// for a name CheckPath refuses, and the answer does not depend on
// whether the outside file exists.
func TestNoReadOutsideTree(t *testing.T) {
	tree, outside := hostileTree(t)
	secret := filepath.Join(outside, "secret.c")
	cases := []struct{ old, nw, file, want string }{
		{"a/mm/../../outside/secret.c", "b/mm/../../outside/secret.c", "mm/../../outside/secret.c", "refused"},
		{"a/../outside/secret.c", "b/../outside/secret.c", "../outside/secret.c", "refused"},
		{secret, secret, secret, "refused"},
		{"a/mm/link.c", "b/mm/link.c", "mm/link.c", "symbolic link leads out of the tree"},
		{"a/mm/gone.c", "b/mm/gone.c", "mm/gone.c", "symbolic link leads out of the tree"},
		{"a/mm/outdir/secret.c", "b/mm/outdir/secret.c", "mm/outdir/secret.c", "symbolic link leads out of the tree"},
	}
	set := defaultRules(t)
	var diagTexts []string
	for _, exists := range []bool{true, false} {
		if !exists {
			if err := os.Remove(secret); err != nil {
				t.Fatal(err)
			}
		}
		var texts []string
		for _, c := range cases {
			patch := hostilePatch(c.old, c.nw)
			frag := (&Analyzer{Set: set}).Run(context.Background(), Read("evil.patch", []byte(patch), Options{}))
			rt := &recordingTree{Tree: DirTree(tree)}
			s := Read("evil.patch", []byte(patch), Options{})
			r := (&Analyzer{Set: set, Tree: rt}).Run(context.Background(), s)
			for _, p := range rt.asked {
				if err := CheckPath(p); err != nil {
					t.Errorf("%s: the tree was asked for %q", c.file, p)
				}
			}
			if got, want := show(r.Findings), show(frag.Findings); got != want || !strings.Contains(got, "double-acquire") {
				t.Errorf("%s: findings\n%s\nwant those of the fragment\n%s", c.file, got, want)
			}
			if len(r.Diags) != 1 || r.Diags[0].Error || r.Diags[0].File != c.file || r.Diags[0].Input != "evil.patch" ||
				!strings.Contains(r.Diags[0].Text, c.want) || !strings.Contains(r.Diags[0].Text, "fragments") {
				t.Errorf("%s: diags %v", c.file, r.Diags)
			}
			if r.Unchecked != 0 {
				t.Errorf("%s: %d hunks unchecked", c.file, r.Unchecked)
			}
			for _, d := range r.Diags {
				texts = append(texts, d.String())
			}
		}
		if diagTexts == nil {
			diagTexts = texts
		} else if strings.Join(texts, "\n") != strings.Join(diagTexts, "\n") {
			t.Errorf("the diagnostics tell whether the outside file exists:\n%s\n--- and without it:\n%s",
				strings.Join(diagTexts, "\n"), strings.Join(texts, "\n"))
		}
	}
}

// mapTree is a tree in memory.
type mapTree map[string]string

func (m mapTree) ReadFile(p string) ([]byte, error) {
	if s, ok := m[p]; ok {
		return []byte(s), nil
	}
	return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
}

// A diff of a temporary copy (seed 003: --- /usr/tmp/p_rdiff_a003hF/exec.c,
// +++ fs/exec.c) is found in the tree by its new name; a file that is
// not there is named by the paths looked for.
func TestResolveNewName(t *testing.T) {
	src := "int f(struct s *p)\n{\n\tspin_lock(&p->lock);\n\treturn 0;\n}\n"
	patch := "--- /usr/tmp/p_rdiff_a003hF/exec.c\tThu Oct 14 16:35:50 1999\n+++ fs/exec.c\tThu Oct 14 09:50:25 1999\n" +
		"@@ -1,2 +1,3 @@\n int f(struct s *p)\n {\n+\tspin_lock(&p->lock);\n"
	rt := &recordingTree{Tree: mapTree{"fs/exec.c": src}}
	r := (&Analyzer{Set: defaultRules(t), Tree: rt}).Run(context.Background(), Read("p", []byte(patch), Options{}))
	if len(r.Diags) != 0 {
		t.Errorf("diags: %v", r.Diags)
	}
	if strings.Join(rt.asked, " ") != "fs/exec.c" {
		t.Errorf("asked %q", rt.asked)
	}
	// the whole function: the acquisition after the hunk is the second
	if got := show(r.Findings); got != "0/0 fs/exec.c:4 double-acquire introduced f @@ -1,2 +1,3 @@\n" {
		t.Errorf("findings:\n%s", got)
	}

	r = (&Analyzer{Set: defaultRules(t), Tree: mapTree{}}).Run(context.Background(), Read("p", []byte(patch), Options{}))
	if len(r.Diags) != 1 || r.Diags[0].Error || r.Diags[0].File != "fs/exec.c" ||
		!strings.Contains(r.Diags[0].Text, "not in the tree (looked for fs/exec.c, exec.c)") {
		t.Errorf("diags: %v", r.Diags)
	}
}

// Seed 003 on Linux 6.1 (when bench/kernel.sh unpacked it): every file
// of the patch is found in the tree; the 1999 hunks do not apply.
func TestSeed003Tree(t *testing.T) {
	if _, err := os.Stat("../bench/linux/fs/exec.c"); err != nil {
		t.Skip("no Linux tree at ../bench/linux")
	}
	s := readSeed(t, "003")
	r := (&Analyzer{Set: defaultRules(t), Tree: DirTree("../bench/linux")}).Run(context.Background(), s)
	applyFails := 0
	for _, d := range r.Diags {
		if strings.Contains(d.Text, "not in the tree") || strings.Contains(d.Text, "cannot read") || d.Error {
			t.Errorf("%s", d)
		}
		if strings.Contains(d.Text, "does not apply") {
			applyFails++
		}
	}
	if applyFails == 0 {
		t.Errorf("no hunk failed to apply: %v", r.Diags)
	}
}

// The paths looked for are named, a few of them, with control
// characters escaped so that a name cannot break the diagnostic's line.
func TestResolveMessage(t *testing.T) {
	_, _, err := resolve(mapTree{}, "a/b/c/d/e/f.c", "/abs/x.c", "../up.c")
	if err == nil || !errors.Is(err, fs.ErrNotExist) ||
		err.Error() != "not in the tree (looked for a/b/c/d/e/f.c, b/c/d/e/f.c, c/d/e/f.c, d/e/f.c and 2 shorter forms)" {
		t.Errorf("%v", err)
	}
	_, _, err = resolve(mapTree{}, "mm/\x1b]0;pwned\x07.c")
	if err == nil || strings.ContainsAny(err.Error(), "\x1b\x07") || !strings.Contains(err.Error(), `"mm/\x1b]0;pwned\a.c"`) {
		t.Errorf("%q", err)
	}
	if _, _, err = resolve(mapTree{}, "/etc/passwd", "../x.c"); err == nil || err.Error() != "not in the tree (no name to look for)" {
		t.Errorf("%v", err)
	}
	p, data, err := resolve(mapTree{"mm/x.c": "x"}, "linux-2.3/mm/x.c")
	if p != "mm/x.c" || string(data) != "x" || err != nil {
		t.Errorf("stripped: %q %q %v", p, data, err)
	}
}
