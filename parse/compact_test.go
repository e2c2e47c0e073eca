//go:build cgo

package parse

import (
	"fmt"
	"math/rand"
	"testing"
	"time"
)

// compactNaive is compact with the plain walk of every chain for every
// edge (quadratic on long chains): the definition compact's memo must
// agree with. A walk into a cycle of empty blocks stops after
// len(Blocks) steps and keeps the block it is on; the back edges it
// reports are those met before it first reached that block.
func compactNaive(fn *Function) {
	keep := make([]bool, len(fn.Blocks))
	skippable := func(b *Block) bool {
		return !keep[b.ID] && b.ID != 0 && b.ID != fn.Exit && len(b.Events) == 0 && len(b.Succs) == 1 &&
			b.Succs[0].Cond == "" && b.Succs[0].Case == "" && b.Succs[0].To != b.ID
	}
	resolve := func(id int) (int, bool) {
		start := id
		back := false
		for steps := 0; steps < len(fn.Blocks); steps++ {
			b := fn.Blocks[id]
			if !skippable(b) {
				return id, back
			}
			back = back || b.Succs[0].Back
			id = b.Succs[0].To
		}
		keep[id] = true
		// the back edges between where the walk started and its first
		// visit of the block that stays
		back = false
		for from := start; from != id; from = fn.Blocks[from].Succs[0].To {
			back = back || fn.Blocks[from].Succs[0].Back
		}
		return id, back
	}
	for _, b := range fn.Blocks {
		for k := range b.Succs {
			to, back := resolve(b.Succs[k].To)
			b.Succs[k].To = to
			b.Succs[k].Back = b.Succs[k].Back || back
		}
	}
	newID := make([]int, len(fn.Blocks))
	kept := fn.Blocks[:0:0]
	for _, b := range fn.Blocks {
		if skippable(b) {
			newID[b.ID] = -1
			continue
		}
		newID[b.ID] = len(kept)
		kept = append(kept, b)
	}
	for _, b := range kept {
		b.ID = newID[b.ID]
		for k := range b.Succs {
			b.Succs[k].To = newID[b.Succs[k].To]
		}
	}
	fn.Exit = newID[fn.Exit]
	fn.Blocks = kept
}

// randomCFG makes a function of n blocks, many of them empty with one
// plain successor (chains, cycles of empty blocks, back edges).
func randomCFG(r *rand.Rand, n int) *Function {
	fn := &Function{Exit: 1 + r.Intn(n-1)}
	for i := 0; i < n; i++ {
		b := &Block{ID: i}
		switch r.Intn(4) {
		case 0:
			b.Events = []Event{{Kind: EvCall, Callee: "f"}}
			fallthrough
		case 1:
			for k := r.Intn(3); k > 0; k-- {
				b.Succs = append(b.Succs, Edge{To: r.Intn(n), Cond: "c", Neg: k == 1, Back: r.Intn(3) == 0})
			}
		default:
			// an empty block: forwards to a near block, often the next
			to := i + 1 + r.Intn(3)
			if to >= n || r.Intn(5) == 0 {
				to = r.Intn(n)
			}
			b.Succs = []Edge{{To: to, Back: r.Intn(4) == 0}}
		}
		fn.Blocks = append(fn.Blocks, b)
	}
	return fn
}

func dumpCFG(fn *Function) string {
	s := fmt.Sprintf("exit=%d", fn.Exit)
	for _, b := range fn.Blocks {
		s += fmt.Sprintf(" | b%d ev=%d", b.ID, len(b.Events))
		for _, e := range b.Succs {
			s += fmt.Sprintf(" ->%d%v", e.To, e.Back)
		}
	}
	return s
}

// TestCompactMatchesNaive compares compact with the plain walk on random
// control-flow graphs, cycles of empty blocks included.
func TestCompactMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for iter := 0; iter < 20000; iter++ {
		n := 2 + r.Intn(14)
		seed := r.Int63()
		a := randomCFG(rand.New(rand.NewSource(seed)), n)
		b := randomCFG(rand.New(rand.NewSource(seed)), n)
		before := dumpCFG(a)
		compact(a)
		compactNaive(b)
		if ga, gb := dumpCFG(a), dumpCFG(b); ga != gb {
			t.Fatalf("graph %s\ncompact: %s\nnaive:   %s", before, ga, gb)
		}
	}
}

// TestCompactLongChain gives compact a chain of empty blocks with an edge
// into each (a switch whose cases all fall through to the last): with a
// walk per edge it takes quadratic time (over 8 minutes for this one),
// with the memo milliseconds; the bound leaves room for a loaded machine.
func TestCompactLongChain(t *testing.T) {
	const n = 200000
	fn := &Function{Exit: n - 1}
	head := &Block{ID: 0}
	fn.Blocks = append(fn.Blocks, head)
	for i := 1; i < n-1; i++ {
		head.Succs = append(head.Succs, Edge{To: i, Cond: "x", Case: fmt.Sprint(i)})
		fn.Blocks = append(fn.Blocks, &Block{ID: i, Succs: []Edge{{To: i + 1}}})
	}
	fn.Blocks = append(fn.Blocks, &Block{ID: n - 1})
	start := time.Now()
	compact(fn)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("compact took %v on a chain of %d blocks", d, n)
	}
	if len(fn.Blocks) != 2 || fn.Exit != 1 {
		t.Fatalf("%d blocks, exit %d; want the head and the exit", len(fn.Blocks), fn.Exit)
	}
	for _, e := range head.Succs {
		if e.To != 1 {
			t.Fatalf("edge to b%d, want b1", e.To)
		}
	}
}
