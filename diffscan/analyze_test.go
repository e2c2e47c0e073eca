package diffscan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/locklint/locklint/report"
	"github.com/locklint/locklint/rules"
)

func defaultRules(t testing.TB) *rules.Set {
	t.Helper()
	set, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func show(fs []report.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		h := "-"
		if f.Hunk != nil {
			h = f.Hunk.Header
		}
		p := "-"
		if f.Patch != nil {
			p = fmt.Sprintf("%d/%d", f.Patch.Index, f.Patch.Total)
		}
		fmt.Fprintf(&b, "%s %s:%d %s %s %s %s\n", p, f.File, f.Line, f.Rule, f.Status, f.Function, h)
	}
	return b.String()
}

// Seed 003 in fragment mode: the mremap.c unlock of another mm's lock is
// found under its hunk, and the writes to the unlinked `area` in
// unmap_fixup, re-inserted later in the same function, are not.
func TestSeed003Fragments(t *testing.T) {
	s := readSeed(t, "003")
	r := (&Analyzer{Set: defaultRules(t)}).Run(context.Background(), s)
	got := show(r.Findings)
	want := "0/0 mm/mremap.c:147 lock-mismatch introduced  @@ -141,8 +141,10 @@\n"
	if got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
	if len(r.Findings) == 1 {
		f := r.Findings[0]
		if len(f.Trace) != 1 || f.Trace[0].Line != 144 || !strings.Contains(f.Trace[0].Note, "vmlist_modify_lock(current->mm)") {
			t.Errorf("trace: %+v", f.Trace)
		}
	}
	if r.Stats.Files != 11 {
		t.Errorf("%d C files analyzed, want 11", r.Stats.Files)
	}
}

// A three-patch series applied to a tree: patch 2 moves a write out from
// under the lock, patch 3 moves it back.
const treeFile = `struct mm_struct;
struct vm_area_struct { unsigned long vm_start, vm_end; struct mm_struct *vm_mm; };
void vmlist_modify_lock(struct mm_struct *mm);
void vmlist_modify_unlock(struct mm_struct *mm);

int grow(struct vm_area_struct *vma, unsigned long len)
{
	int pages = len >> 12;

	vmlist_modify_lock(vma->vm_mm);
	vma->vm_end += len;
	vmlist_modify_unlock(vma->vm_mm);
	return pages;
}

int shrink(struct vm_area_struct *vma, unsigned long len)
{
	vma->vm_end -= len;
	vmlist_modify_lock(vma->vm_mm);
	vmlist_modify_unlock(vma->vm_mm);
	return 0;
}
`

const treeSeries = `From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001
From: Dev <dev@example.org>
Subject: [PATCH 1/3] mm: a comment
Message-Id: <p1@example.org>

---
 mm/grow.c | 1 +
 1 file changed, 1 insertion(+)

diff --git a/mm/grow.c b/mm/grow.c
--- a/mm/grow.c
+++ b/mm/grow.c
@@ -6,3 +6,4 @@ void vmlist_modify_unlock(struct mm_struct *mm);
 int grow(struct vm_area_struct *vma, unsigned long len)
 {
+	/* grows the vma */
 	int pages = len >> 12;
-- 
2.40.0

From 2222222222222222222222222222222222222222 Mon Sep 17 00:00:00 2001
From: Dev <dev@example.org>
Subject: [PATCH 2/3] mm: grow outside the lock
Message-Id: <p2@example.org>

---
diff --git a/mm/grow.c b/mm/grow.c
--- a/mm/grow.c
+++ b/mm/grow.c
@@ -9,8 +9,8 @@ int grow(struct vm_area_struct *vma, unsigned long len)
 	int pages = len >> 12;
 
+	vma->vm_end += len;
 	vmlist_modify_lock(vma->vm_mm);
-	vma->vm_end += len;
 	vmlist_modify_unlock(vma->vm_mm);
 	return pages;
 }
 
-- 
2.40.0

From 3333333333333333333333333333333333333333 Mon Sep 17 00:00:00 2001
From: Dev <dev@example.org>
Subject: [PATCH 3/3] mm: grow under the lock again
Message-Id: <p3@example.org>

---
diff --git a/mm/grow.c b/mm/grow.c
--- a/mm/grow.c
+++ b/mm/grow.c
@@ -9,8 +9,8 @@ int grow(struct vm_area_struct *vma, unsigned long len)
 	int pages = len >> 12;
 
-	vma->vm_end += len;
 	vmlist_modify_lock(vma->vm_mm);
+	vma->vm_end += len;
 	vmlist_modify_unlock(vma->vm_mm);
 	return pages;
 }
 
-- 
2.40.0
`

func TestTreeStatuses(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "mm"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "mm", "grow.c"), []byte(treeFile), 0o644); err != nil {
		t.Fatal(err)
	}
	s := Read("series.mbox", []byte(treeSeries), Options{})
	if len(s.Patches) != 3 {
		t.Fatalf("%d patches, diags %v", len(s.Patches), s.Diags)
	}
	r := (&Analyzer{Set: defaultRules(t), Tree: DirTree(dir)}).Run(context.Background(), s)
	for _, d := range r.Diags {
		t.Errorf("diagnostic: %s", d)
	}
	// shrink's write before the lock is there from the start but is in no
	// function the series touches
	got := show(r.Findings)
	want := "2/3 mm/grow.c:11 vma-list-modify introduced grow @@ -9,8 +9,8 @@\n" +
		"3/3 mm/grow.c:11 vma-list-modify fixed grow @@ -9,8 +9,8 @@\n"
	if got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
	// the tree on disk is not touched
	if data, _ := os.ReadFile(filepath.Join(dir, "mm", "grow.c")); string(data) != treeFile {
		t.Error("the tree was written to")
	}
}

// A patch that does not apply: its file falls back to fragments and the
// hunk is named.
func TestTreeDoesNotApply(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "mm"), 0o755)
	os.WriteFile(filepath.Join(dir, "mm", "grow.c"), []byte("int other(void)\n{\n\treturn 0;\n}\n"), 0o644)
	s := Read("series.mbox", []byte(treeSeries), Options{})
	r := (&Analyzer{Set: defaultRules(t), Tree: DirTree(dir)}).Run(context.Background(), s)
	if len(r.Diags) == 0 || !strings.Contains(r.Diags[0].String(), "warning:") || !strings.Contains(r.Diags[0].String(), "does not apply") || r.Diags[0].Hunk == "" {
		t.Errorf("diags: %v", r.Diags)
	}
	// patch 2's fragment still shows the write before the lock
	if got := show(r.Findings); !strings.Contains(got, "2/3 mm/grow.c:11 vma-list-modify introduced grow") {
		t.Errorf("findings:\n%s", got)
	}
}
