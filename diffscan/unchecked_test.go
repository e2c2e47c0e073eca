package diffscan

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/locklint/locklint/check"
	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

const twoLocks = "--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1,3 +1,5 @@ void f(struct s *p)\n void f(struct s *p)\n {\n" +
	"+\tspin_lock(&p->lock);\n+\tspin_lock(&p->lock);\n \tint a;\n"

// Code that is not analyzed at all is counted in Unchecked with an error;
// code analyzed in a weaker way is not, and its diagnostic is a warning.
func TestUnchecked(t *testing.T) {
	set := defaultRules(t)
	run := func(a *Analyzer, ctx context.Context, patch string) *Result {
		t.Helper()
		a.Set = set
		return a.Run(ctx, Read("p", []byte(patch), Options{}))
	}
	errs := func(r *Result) (n int) {
		for _, d := range r.Diags {
			if d.Error {
				n++
			}
		}
		return n
	}

	// a fragment the front end refuses (a NUL byte): not analyzed
	r := run(&Analyzer{}, context.Background(), strings.Replace(twoLocks, "int a;", "int a;\x00", 1)+
		"--- a/mm/y.c\n+++ b/mm/y.c\n@@ -1,3 +1,5 @@ void g(struct s *p)\n void g(struct s *p)\n {\n+\tspin_lock(&p->lock);\n+\tspin_lock(&p->lock);\n \tint a;\n")
	if r.Unchecked != 1 || r.Fragments != 1 || errs(r) != 1 || r.Diags[0].File != "mm/x.c" || !strings.Contains(r.Diags[0].Text, "1 hunk not analyzed") {
		t.Errorf("NUL in a hunk: unchecked %d, diags %v", r.Unchecked, r.Diags)
	}
	if got := show(r.Findings); !strings.Contains(got, "mm/y.c:4 double-acquire introduced g") || strings.Contains(got, "mm/x.c") {
		t.Errorf("the other file's findings: %s", got)
	}

	// a whole file that does not parse (a NUL far from the hunk): its
	// hunks are read as fragments, a warning
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "mm"), 0o755)
	os.WriteFile(filepath.Join(dir, "mm", "x.c"), []byte("void f(struct s *p)\n{\n\tint a;\n}\n\nchar junk[] = \"\x00\";\n"), 0o644)
	r = run(&Analyzer{Tree: DirTree(dir)}, context.Background(), twoLocks)
	if r.Unchecked != 0 || errs(r) != 0 || len(r.Diags) != 1 || !strings.Contains(r.Diags[0].Text, "cannot parse mm/x.c") ||
		!strings.Contains(r.Diags[0].Text, "analyzed as fragments") {
		t.Errorf("NUL in the tree's file: unchecked %d, diags %v", r.Unchecked, r.Diags)
	}
	if got := show(r.Findings); got != "0/0 mm/x.c:4 double-acquire introduced f @@ -1,3 +1,5 @@\n" || r.Fragments != 1 {
		t.Errorf("findings of the fragment: %s (%d hunks as fragments)", got, r.Fragments)
	}
	// the same file without the NUL: applied, no fragments
	os.WriteFile(filepath.Join(dir, "mm", "x.c"), []byte("void f(struct s *p)\n{\n\tint a;\n}\n"), 0o644)
	if r = run(&Analyzer{Tree: DirTree(dir)}, context.Background(), twoLocks); r.Fragments != 0 || len(r.Diags) != 0 || len(r.Findings) != 1 {
		t.Errorf("applied: %d hunks as fragments, diags %v, findings %s", r.Fragments, r.Diags, show(r.Findings))
	}

	// not in the tree, or a hunk that does not apply: warnings, checked
	for _, tree := range []Tree{mapTree{}, mapTree{"mm/x.c": "int other;\n"}} {
		r = run(&Analyzer{Tree: tree}, context.Background(), twoLocks)
		if r.Unchecked != 0 || r.Fragments != 1 || errs(r) != 0 || len(r.Diags) != 1 || len(r.Findings) != 1 {
			t.Errorf("tree %v: unchecked %d, diags %v, findings %s", tree, r.Unchecked, r.Diags, show(r.Findings))
		}
	}

	// the series' unrecovered hunks are in the count
	r = run(&Analyzer{}, context.Background(), twoLocks+"@@ -40,3 +42,3 @@\n")
	if r.Unchecked != 1 || len(r.Findings) != 1 {
		t.Errorf("an unrecovered hunk: unchecked %d, findings %s", r.Unchecked, show(r.Findings))
	}

	// a run that is cancelled checks nothing, and says so
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r = run(&Analyzer{}, ctx, twoLocks)
	if r.Unchecked != 1 || errs(r) != 1 || len(r.Findings) != 0 {
		t.Errorf("cancelled: unchecked %d, diags %v", r.Unchecked, r.Diags)
	}
}

// A hunk quoted without its file's headers is still read, as C.
func TestUnknownFileRead(t *testing.T) {
	patch := "Looks wrong:\n\n@@ -1,3 +1,5 @@ void f(struct s *p)\n void f(struct s *p)\n {\n" +
		"+\tspin_lock(&p->lock);\n+\tspin_lock(&p->lock);\n \tint a;\n"
	for _, tree := range []Tree{nil, mapTree{}} {
		r := (&Analyzer{Set: defaultRules(t), Tree: tree}).Run(context.Background(), Read("p", []byte(patch), Options{}))
		if got := show(r.Findings); got != "0/0 (unknown file):4 double-acquire introduced f @@ -1,3 +1,5 @@\n" || r.Unchecked != 0 {
			t.Errorf("tree %v: findings %q, unchecked %d, diags %v", tree, got, r.Unchecked, r.Diags)
		}
	}
}

// A panic in the front end or the engine loses no hunk silently: the
// hunks it took are counted, with an error, and the run goes on.
func TestUncheckedOnPanic(t *testing.T) {
	set := defaultRules(t)
	other := "--- a/mm/y.c\n+++ b/mm/y.c\n@@ -1,3 +1,5 @@ void g(struct s *p)\n void g(struct s *p)\n {\n" +
		"+\tspin_lock(&p->lock);\n+\tspin_lock(&p->lock);\n \tint a;\n"
	series := "From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\nSubject: [PATCH 1/2] x\n\n" + twoLocks +
		"\nFrom 2222222222222222222222222222222222222222 Mon Sep 17 00:00:00 2001\nSubject: [PATCH 2/2] y\n\n" + other

	defer func(p func(context.Context, string, []byte) (*parse.File, error)) { parseFile = p }(parseFile)
	parseFile = func(ctx context.Context, name string, src []byte) (*parse.File, error) {
		if name == "mm/x.c" {
			panic("boom")
		}
		return parse.ParseFile(ctx, name, src)
	}
	r := (&Analyzer{Set: set}).Run(context.Background(), Read("s.mbox", []byte(series), Options{}))
	if r.Unchecked != 1 || len(r.Diags) != 1 || !r.Diags[0].Error || !strings.Contains(r.Diags[0].Text, "front end panic: boom") ||
		r.Diags[0].File != "mm/x.c" || r.Diags[0].Message != "[PATCH 1/2] x" {
		t.Errorf("front end: unchecked %d, diags %v", r.Unchecked, r.Diags)
	}
	if got := show(r.Findings); got != "2/2 mm/y.c:4 double-acquire introduced g @@ -1,3 +1,5 @@\n" {
		t.Errorf("front end: findings %s", got)
	}
	parseFile = parse.ParseFile

	defer func(c func(*rules.Set, []*parse.File) []check.Finding) { runCheck = c }(runCheck)
	runCheck = func(set *rules.Set, files []*parse.File) []check.Finding {
		for _, f := range files {
			if f.Name == "mm/x.c" {
				panic("bang")
			}
		}
		return check.Run(set, files)
	}
	r = (&Analyzer{Set: set}).Run(context.Background(), Read("s.mbox", []byte(series), Options{}))
	if r.Unchecked != 1 || len(r.Diags) != 1 || !r.Diags[0].Error || !strings.Contains(r.Diags[0].Text, "engine panic: bang") {
		t.Errorf("engine: unchecked %d, diags %v", r.Unchecked, r.Diags)
	}
	if got := show(r.Findings); got != "2/2 mm/y.c:4 double-acquire introduced g @@ -1,3 +1,5 @@\n" {
		t.Errorf("engine: findings %s", got)
	}
}
