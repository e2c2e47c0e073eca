package diffscan

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// manyOnOneLine is a patch that adds one line holding n acquisitions of
// one lock: n-1 double-acquire findings, all on that line.
func manyOnOneLine(n int) string {
	return "diff --git a/mm/x.c b/mm/x.c\n--- a/mm/x.c\n+++ b/mm/x.c\n" +
		"@@ -1,3 +1,4 @@ void f(struct s *p)\n void f(struct s *p)\n {\n+\t" +
		strings.TrimSuffix(strings.Repeat("spin_lock(&p->lock); ", n), " ") + "\n }\n"
}

// allocated is the bytes allocated while analyzing patch once.
func allocated(t testing.TB, a *Analyzer, patch string) (uint64, *Result) {
	// TotalAlloc only grows: no collection is needed to read it
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	s := Read("many.patch", []byte(patch), Options{})
	r := a.Run(context.Background(), s)
	runtime.ReadMemStats(&m1)
	return m1.TotalAlloc - m0.TotalAlloc, r
}

// Findings on one long line once each copied the whole line into their
// key: memory grew with the square of the line (6,000 acquisitions took
// 1.2 GB). Quadrupling the line must not much more than quadruple the
// bytes allocated. Bytes, not time: the bound holds on a loaded machine.
func TestManyFindingsOneLineLinear(t *testing.T) {
	a := &Analyzer{Set: defaultRules(t), Jobs: 1}
	const small, big = 500, 2000
	bs, rs := allocated(t, a, manyOnOneLine(small))
	bb, rb := allocated(t, a, manyOnOneLine(big))
	for _, c := range []struct {
		n int
		r *Result
	}{{small, rs}, {big, rb}} {
		if len(c.r.Findings) != c.n-1 {
			t.Fatalf("%d acquisitions: %d findings, want %d", c.n, len(c.r.Findings), c.n-1)
		}
		for _, f := range c.r.Findings {
			if f.Rule != "double-acquire" || f.Status != "introduced" || f.Line != 3 {
				t.Fatalf("%d acquisitions: finding %s %s line %d", c.n, f.Rule, f.Status, f.Line)
			}
		}
	}
	ratio := float64(bb) / float64(bs)
	t.Logf("%d acquisitions: %d bytes; %d: %d bytes (x%.1f)", small, bs, big, bb, ratio)
	// linear is x4; the square would be x16
	if ratio > 8 {
		t.Errorf("allocations grew x%.1f for a line 4 times as long: more than linear", ratio)
	}
}

// The statuses must not change with the key: a line that stays the same
// keeps its findings preexisting, and a removed copy of it makes them
// fixed.
func TestManyFindingsStatuses(t *testing.T) {
	line := "\t" + strings.TrimSuffix(strings.Repeat("spin_lock(&p->lock); ", 4), " ")
	patch := "--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1,4 +1,5 @@ void f(struct s *p)\n void f(struct s *p)\n {\n " + line +
		"\n+\tint x;\n }\n" +
		"@@ -10,3 +11,2 @@ void g(struct s *p)\n void g(struct s *p)\n {\n-" + line + "\n"
	s := Read("p", []byte(patch), Options{})
	r := (&Analyzer{Set: defaultRules(t)}).Run(context.Background(), s)
	got := map[string]int{}
	for _, f := range r.Findings {
		got[fmt.Sprintf("%s %s %s", f.Rule, f.Function, f.Status)]++
	}
	want := map[string]int{"double-acquire f preexisting": 3, "double-acquire g fixed": 3}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("statuses %v, want %v\n%s", got, want, show(r.Findings))
	}
}

// BenchmarkManyFindingsOneLine: 6,000 acquisitions of one lock on one
// added line (issue 9: 5 s and 1.2 GB before findings were keyed on a
// number for their line's text).
func BenchmarkManyFindingsOneLine(b *testing.B) {
	a := &Analyzer{Set: defaultRules(b)}
	patch := []byte(manyOnOneLine(6000))
	b.SetBytes(int64(len(patch)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		a.Run(context.Background(), Read("many.patch", patch, Options{}))
	}
}
