package check

import "testing"

// A join merges the variables of two paths: one both know with different
// objects, one only the other path knows. Inserting the second into p's
// sorted set must not hide the first from the rest of the merge.
func TestMergeVars(t *testing.T) {
	p, q := newPartition(), newPartition()
	p.vars = make(varSet, 0, 8) // room to insert in place
	p.setVar("a", "x")
	p.setVar("c", "y")
	q.setVar("b", "z")
	q.setVar("c", "w")
	join := func(v, x, y string) string { return "?" + v + "(" + x + "|" + y + ")" }
	p.mergeVars(q, join)
	want := varSet{{"a", "?a(x|a)"}, {"b", "?b(b|z)"}, {"c", "?c(y|w)"}}
	if !p.vars.equal(want) {
		t.Fatalf("merged vars %v, want %v", p.vars, want)
	}
	// q is as it was: the merge writes p only
	if !q.vars.equal(varSet{{"b", "z"}, {"c", "w"}}) {
		t.Fatalf("q's vars changed: %v", q.vars)
	}
}
