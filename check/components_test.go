package check

import (
	"context"
	"testing"

	"github.com/locklint/locklint/parse"
)

// The fixpoint's order: every edge between two components goes forward,
// the loop's blocks make one cyclic component, and the blocks before and
// after it are components of their own, run once.
func TestComponents(t *testing.T) {
	src := `void f(int n)
{
	a();
again:
	while (n) {
		b();
		if (n > 2)
			continue;
		c();
	}
	if (n < 0)
		goto again;
	d();
	e();
}
`
	file, err := parse.ParseFile(context.Background(), "c.c", []byte(src))
	if err != nil || len(file.Functions) != 1 {
		t.Fatalf("parse: %v", err)
	}
	fn := file.Functions[0]
	a := &analysis{fn: fn}
	order := a.rpo()
	comps, idx := components(fn, order)
	for _, id := range order {
		for _, e := range fn.Blocks[id].Succs {
			if idx[e.To] < idx[id] {
				t.Errorf("edge b%d -> b%d goes back from component %d to %d", id, e.To, idx[id], idx[e.To])
			}
		}
	}
	byCall := func(callee string) int {
		for _, b := range fn.Blocks {
			for _, e := range b.Events {
				if e.Kind == parse.EvCall && e.Callee == callee {
					return idx[b.ID]
				}
			}
		}
		t.Fatalf("no call to %s", callee)
		return -1
	}
	// the goto back makes the loop and its test one cycle with the label
	if byCall("b") != byCall("c") || !comps[byCall("b")].cyclic {
		t.Errorf("the loop's body is not one cyclic component: %+v", comps)
	}
	for _, callee := range []string{"a", "d", "e"} {
		if c := comps[byCall(callee)]; c.cyclic {
			t.Errorf("%s() is on no cycle, but its component is cyclic: %+v", callee, c)
		}
	}
	if byCall("a") == byCall("b") || byCall("d") == byCall("b") {
		t.Errorf("blocks outside the loop share its component: %+v", comps)
	}
}
