//go:build cgo

package diffscan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/locklint/locklint/report"
)

// A patch to one file of a directory is checked with the directory's
// other files: a helper made to sleep is found where callers in the next
// file hold a spinlock around it, as introduced by the patch, and
// reported once, at the patch's line, with each caller in the trace; what
// that file does wrong on its own already is not the patch's.
const ctxHelper = `#include <linux/slab.h>

struct mle { spinlock_t lock; int n; };

void mle_dump(struct mle *m)
{
	char *buf = kmalloc(64, GFP_ATOMIC);

	if (!buf)
		return;
	m->n++;
	kfree(buf);
}
`

const ctxCaller = `#include <linux/spinlock.h>

struct mle { spinlock_t lock; int n; };
void mle_dump(struct mle *m);

void mle_put(struct mle *m)
{
	spin_lock(&m->lock);
	mle_dump(m);
	spin_unlock(&m->lock);
}

void mle_put_again(struct mle *m)
{
	spin_lock(&m->lock);
	if (m->n)
		mle_dump(m);
	spin_unlock(&m->lock);
}

void mle_old_bug(struct mle *m)
{
	spin_lock(&m->lock);
	msleep(1);
	spin_unlock(&m->lock);
}
`

const ctxPatch = `diff --git a/fs/dlm/dump.c b/fs/dlm/dump.c
--- a/fs/dlm/dump.c
+++ b/fs/dlm/dump.c
@@ -4,7 +4,7 @@ struct mle { spinlock_t lock; int n; };
 
 void mle_dump(struct mle *m)
 {
-	char *buf = kmalloc(64, GFP_ATOMIC);
+	char *buf = kmalloc(64, GFP_KERNEL);
 
 	if (!buf)
 		return;
`

func TestContextFiles(t *testing.T) {
	dir := t.TempDir()
	dlm := filepath.Join(dir, "fs", "dlm")
	if err := os.MkdirAll(dlm, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"dump.c": ctxHelper, "master.c": ctxCaller, "notes.txt": "not C"} {
		if err := os.WriteFile(filepath.Join(dlm, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := Read("fix.diff", []byte(ctxPatch), Options{})
	r := (&Analyzer{Set: defaultRules(t), Tree: DirTree(dir)}).Run(context.Background(), s)
	for _, d := range r.Diags {
		t.Errorf("diagnostic: %s", d)
	}
	got := show(r.Findings)
	want := "0/0 fs/dlm/dump.c:7 sleep-under-spinlock introduced mle_dump @@ -4,7 +4,7 @@\n"
	if got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
	if len(r.Findings) == 1 {
		trace := strings.Join(traceNotes(r.Findings[0].Trace), "\n")
		for _, w := range []string{"fs/dlm/master.c:9: found in mle_put()", "fs/dlm/master.c:8: spin_lock", "fs/dlm/dump.c:7: kmalloc",
			"fs/dlm/master.c:17: also found in mle_put_again()"} {
			if !strings.Contains(trace, w) {
				t.Errorf("the trace has no %q:\n%s", w, trace)
			}
		}
	}

	// without a directory listing (a tree that only reads files), the
	// patch is checked alone, as before
	r = (&Analyzer{Set: defaultRules(t), Tree: readOnly{DirTree(dir)}}).Run(context.Background(), s)
	if got := show(r.Findings); got != "" {
		t.Errorf("without context: %s", got)
	}
}

type readOnly struct{ t Tree }

func (r readOnly) ReadFile(p string) ([]byte, error) { return r.t.ReadFile(p) }

func traceNotes(ns []report.Note) []string {
	var out []string
	for _, n := range ns {
		out = append(out, fmt.Sprintf("%s:%d: %s", n.File, n.Line, n.Note))
	}
	return out
}

// The same helper, with one caller beside it in its own file (which the
// patch does not touch) and one in another directory: the caller in the
// file counts always, the one elsewhere when the tree is searched for
// callers (Analyzer.Callers).
const callersHelper = ctxHelper + `
static void mle_tick(struct mle *m)
{
	rcu_read_lock();
	mle_dump(m);
	rcu_read_unlock();
}
`

const callersFar = `#include <linux/spinlock.h>

struct mle { spinlock_t lock; int n; };
void mle_dump(struct mle *m);

void far_flush(struct mle *m)
{
	spin_lock_bh(&m->lock);
	mle_dump (m);
	spin_unlock_bh(&m->lock);
}

void far_unrelated(struct mle *m)
{
	my_mle_dump(m);
	m->mle_dump = 0;
}
`

func TestCallersElsewhere(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"fs/dlm/dump.c": callersHelper, "drivers/misc/far.c": callersFar,
		"tools/perf/dump.c": callersFar, ".git/x.c": callersFar} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := Read("fix.diff", []byte(ctxPatch), Options{})
	for _, callers := range []bool{false, true} {
		r := (&Analyzer{Set: defaultRules(t), Tree: DirTree(dir), Callers: callers}).Run(context.Background(), s)
		for _, d := range r.Diags {
			t.Errorf("diagnostic: %s", d)
		}
		got := show(r.Findings)
		want := "0/0 fs/dlm/dump.c:7 sleep-under-spinlock introduced mle_dump @@ -4,7 +4,7 @@\n"
		if got != want {
			t.Fatalf("callers %v: findings:\n%s\nwant:\n%s", callers, got, want)
		}
		trace := strings.Join(traceNotes(r.Findings[0].Trace), "\n")
		if !strings.Contains(trace, "fs/dlm/dump.c:18: found in mle_tick()") && !strings.Contains(trace, "fs/dlm/dump.c:18: also found in mle_tick()") {
			t.Errorf("callers %v: the caller in the patched file is not in the trace:\n%s", callers, trace)
		}
		if far := strings.Contains(trace, "drivers/misc/far.c:9: found in far_flush()"); far != callers {
			t.Errorf("callers %v: the caller in drivers/misc is in the trace (%v), want %v\n%s", callers, far, callers, trace)
		}
		if strings.Contains(trace, "tools/") || strings.Contains(trace, ".git/") {
			t.Errorf("callers %v: user-space tools or a hidden directory read:\n%s", callers, trace)
		}
	}
}

func TestCallsIn(t *testing.T) {
	src := []byte("x = my_f(1); y->f = 2; f2(3); g (4);\nh\t(5); f")
	got := callsIn(src, []string{"f", "g", "h", "f2", "k"})
	if want := []string{"g", "h", "f2"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("callsIn = %v, want %v", got, want)
	}
}

// A caller the series itself adds, in another directory, counts for a
// later patch of the series: the tree's search is read with the files the
// series wrote.
func TestCallersAddedBySeries(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "fs", "dlm", "dump.c")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(ctxHelper), 0o644); err != nil {
		t.Fatal(err)
	}
	var added strings.Builder
	added.WriteString("diff --git a/drivers/misc/far.c b/drivers/misc/far.c\nnew file mode 100644\n--- /dev/null\n+++ b/drivers/misc/far.c\n")
	lines := strings.Split(strings.TrimSuffix(callersFar, "\n"), "\n")
	fmt.Fprintf(&added, "@@ -0,0 +1,%d @@\n", len(lines))
	for _, l := range lines {
		added.WriteString("+" + l + "\n")
	}
	const sep = "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
	series := sep + "From: a@b\nSubject: [PATCH 1/2] misc: far flush\n\n" + added.String() + "\n" +
		sep + "From: a@b\nSubject: [PATCH 2/2] dlm: allocate\n\n" + ctxPatch
	s := Read("series.mbox", []byte(series), Options{})
	r := (&Analyzer{Set: defaultRules(t), Tree: DirTree(dir), Callers: true}).Run(context.Background(), s)
	for _, d := range r.Diags {
		t.Errorf("diagnostic: %s", d)
	}
	found := false
	for _, f := range r.Findings {
		if f.Rule == "sleep-under-spinlock" && f.File == "fs/dlm/dump.c" && f.Status == "introduced" && f.Patch != nil && f.Patch.Index == 2 &&
			strings.Contains(strings.Join(traceNotes(f.Trace), "\n"), "drivers/misc/far.c:9: found in far_flush()") {
			found = true
		}
	}
	if !found {
		t.Errorf("the caller the series added is not in the findings:\n%s", show(r.Findings))
	}
}
