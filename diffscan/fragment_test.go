package diffscan

import (
	"strings"
	"testing"
)

// fragmentOf builds the new-side fragment of hunks given as text.
func fragmentOf(t *testing.T, diff string) *Fragment {
	t.Helper()
	s := Read("t.patch", []byte(diff), Options{})
	if len(s.Patches) != 1 {
		t.Fatalf("no patch in %q: %v", diff, s.Diags)
	}
	return BuildFragment(s.Patches[0].Files[0], New)
}

func TestFragmentDepths(t *testing.T) {
	for _, c := range []struct{ name, diff, want string }{
		{"statements of a known function", `--- a/x.c
+++ b/x.c
@@ -10,3 +10,4 @@ static int foo(struct bar *b)
 	a = 1;
+	spin_lock(&b->lock);
 	b->x = 2;
 	c = 3;
`, "void foo(void) {|\ta = 1;|\tspin_lock(&b->lock);|\tb->x = 2;|\tc = 3;|}"},
		{"end of one function, start of the next", `--- a/x.c
+++ b/x.c
@@ -10,4 +10,5 @@
 		return 0;
 	}
 }
+
 static void g(void)
`, "void __locklint_fragment_0(void) {|{|if (__locklint_unseen())|\t\treturn 0;|\t}|}||static void g(void)"},
		{"two hunks of one function", `--- a/x.c
+++ b/x.c
@@ -10,2 +10,3 @@ int f(struct vm_area_struct *vma)
 	vma->vm_end = end;
+	lock();
@@ -40,2 +41,2 @@ int f(struct vm_area_struct *vma)
-	x();
+	y();
 }
`, "void f(void) {|\tvma->vm_end = end;|\tlock();|;__locklint_unseen();|\ty();|}"},
		{"starts inside a comment", `--- a/x.c
+++ b/x.c
@@ -10,2 +10,3 @@
  * end of a comment */
+	z = 1;
 	w = 2;
`, "void __locklint_fragment_0(void) {|/*| * end of a comment */|\tz = 1;|\tw = 2;|}"},
		{"no indentation (mangled mail)", `--- a/x.c
+++ b/x.c
@@ -10,3 +10,4 @@
 }
 insert_vm_struct(current->mm, area);
+vmlist_modify_unlock(current->mm);
 return extra;
`, "void __locklint_fragment_0(void) {|{|}|insert_vm_struct(current->mm, area);|vmlist_modify_unlock(current->mm);|return extra;|}"},
	} {
		fr := fragmentOf(t, c.diff)
		got := strings.ReplaceAll(strings.TrimSuffix(string(fr.Src), "\n"), "\n", "|")
		if got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestFragmentLineMap(t *testing.T) {
	fr := fragmentOf(t, `--- a/x.c
+++ b/x.c
@@ -10,2 +10,3 @@ int f(void)
 	a();
+	b();
@@ -40,1 +41,1 @@ int f(void)
-	c();
+	d();
`)
	for line, want := range map[int]int{1: 0, 2: 10, 3: 11, 4: 0, 5: 41} {
		got, h := fr.Real(line)
		if got != want || (want != 0) != (h != nil) {
			t.Errorf("line %d: real %d hunk %v, want %d", line, got, h, want)
		}
	}
	old := BuildFragment(fr.File, Old)
	if !strings.Contains(string(old.Src), "\tc();") || strings.Contains(string(old.Src), "d();") {
		t.Errorf("old side: %q", old.Src)
	}
}

func TestFragmentStartsAtBody(t *testing.T) {
	fr := fragmentOf(t, "--- a/x.c\n+++ b/x.c\n@@ -60,3 +60,4 @@ static void move(struct vm_area_struct *vma)\n {\n+\tlock();\n \tx();\n }\n")
	if got := string(fr.Src); got != "void move(void)\n{\n\tlock();\n\tx();\n}\n" {
		t.Errorf("got %q", got)
	}
}
