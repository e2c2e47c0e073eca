package check

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/locklint/locklint/parse"
)

// A release reached on a path from the function's entry that never took
// the lock, in a function that takes it itself from its entry state: a
// `goto out` placed before the mutex_lock, to an `out:` that unlocks.
//
// The lock state alone cannot say "never taken": the engine also gives a
// lock it lost track of (an unknown trylock, an object named differently
// on two paths, a helper's acquisition out of sight) the state it gives an
// untouched one. So the path is read from the code itself: a path from the
// entry to the release on which nothing could have taken the lock, by any
// name. And the function's own acquisition, an exclusive one made while
// the lock was still as the caller left it, proves the caller does not
// hold it (it would deadlock on itself).

// releaseUntaken checks the release e of op over state s.
func (a *analysis) releaseUntaken(s state, e *parse.Event, op lockOp) {
	if e.Kind != parse.EvCall {
		return // (a guard's scope ends where the guard's own scope does)
	}
	var taken, released site
	var k0 key
	untouched := false
	for _, p := range s {
		k := key{class: op.class, inst: p.resolve(op.inst)}
		if !a.fromEntry[k] || a.sema[k] || unstable(k.inst) || freshLock(k.inst) || strings.HasPrefix(k.inst, "?") {
			return
		}
		if _, _, mis := a.mismatch(p, k); mis {
			return
		}
		k0 = k
		cur, explicit := p.locks.lookup(k)
		if explicit && cur.passed {
			return
		}
		switch {
		case !explicit:
			untouched = true
		case cur.b&bU != 0 && cur.b&bH != 0:
			untouched = true
			taken = cur.site
		case cur.b&bH != 0 && taken.text == "":
			taken = cur.site
		case cur.b == bN && cur.site.text != "" && cur.site.note == "" && released.text == "":
			released = cur.site
		}
	}
	if untouched && taken.text == "" && released.text != "" {
		// no path holds it: the ones that took it released it already
		// (`if (!is_priv) mutex_unlock(&l);` copied once too often), a
		// double release whoever holds it on the others
		a.untaken = append(a.untaken, untakenRelease{k: k0, e: e,
			msg:   fmt.Sprintf("%s released on a path where it was released already", op.inst),
			trace: []Note{a.note(released, "%s here", released.full())}})
		return
	}
	if !untouched || taken.text == "" || taken.note != "" || a.optional(taken.pos) {
		return
	}
	name := a.displayInst(key{class: op.class, inst: s[0].resolve(op.inst)})
	via, ok := a.untakenPath(e, op.class, name, taken.pos)
	if !ok {
		return
	}
	tr := []Note{a.note(taken, "%s takes it on the other paths", taken.full())}
	if via.Line > 0 && via.Line != e.Pos.Line {
		tr = append(tr, Note{File: a.fn.File, Line: via.Line, Note: "the path through here reaches the release without taking it"})
	}
	a.untaken = append(a.untaken, untakenRelease{k: k0, e: e,
		msg: fmt.Sprintf("%s released on a path where it was never taken", op.inst), trace: tr})
}

// untakenRelease is a finding of releaseUntaken, reported once the returns
// are known.
type untakenRelease struct {
	k     key
	e     *parse.Event
	msg   string
	trace []Note
}

// reportUntaken reports the releases of releaseUntaken, except of a lock
// the function may return holding: then a lock held on entry is this
// function's own, left by its last call (a seq_file iterator, a message
// read across calls) or by design.
func (a *analysis) reportUntaken() {
	for _, u := range a.untaken {
		kept := false
		for _, r := range a.returns {
			kept = kept || r.locks[u.k]&bH != 0
		}
		if !kept {
			a.finding("release-unheld", a.c.sev["release-unheld"], u.e, u.msg, u.trace...)
		}
	}
}

// optional tells whether the acquisition at pos is taken only on a test
// that otherwise goes straight on to where it would have gone after it
// (`if (!lock_taken) mutex_lock(...)`): the caller may hold it on the
// other way.
func (a *analysis) optional(pos parse.Pos) bool {
	b := a.blockAt(pos)
	if b < 0 {
		return true
	}
	after := map[int]bool{}
	for _, s := range a.fn.Blocks[b].Succs {
		after[s.To] = true
	}
	for _, blk := range a.fn.Blocks {
		into, past := false, false
		for _, s := range blk.Succs {
			if s.To == b && (s.Cond != "" || s.Case != "") {
				into = true
			} else if after[s.To] {
				past = true
			}
		}
		if into && past {
			return true
		}
	}
	return false
}

// untakenPath finds a path from the entry to e on which no event may take
// the lock (class, spelled name): no operation on its class by any name,
// no call named like a lock operation, no analyzed callee that works on
// the class or hands its parameters on, and no function out of sight
// given an object the lock's name starts from. It returns where that path
// leaves the way to the acquisition at takenAt.
func (a *analysis) untakenPath(e *parse.Event, class, name string, takenAt parse.Pos) (parse.Pos, bool) {
	at, idx := a.locate(e)
	if at < 0 {
		return parse.Pos{}, false
	}
	field := lockField(class)
	clean := func(x *parse.Event) bool {
		if x.Kind != parse.EvCall {
			return true
		}
		if len(a.ops(x)) > 0 || a.passesLock(x) {
			return false
		}
		callee := a.c.lookup(x.Callee, a.fi.file)
		if callee == nil && (accessor(x.Callee, len(x.Args)) || len(x.Args) == 1 && strings.Contains(x.Callee, "_to_")) {
			return true // `dev = ice_pf_to_dev(pf)`: a conversion takes no lock
		}
		if callee == nil || callee.sum == nil {
			// given the lock, or an object that holds it (not a sibling
			// field: `queue_delayed_work(f54->workqueue, &f54->work, ...)`)
			for _, arg := range x.Args {
				if o := strings.TrimPrefix(arg.Norm, "&"); o != "" && isPath(o) && within(name, o) {
					return false
				}
			}
			return !strings.Contains(x.Callee, "lock")
		}
		sum := callee.sum
		if len(sum.passes) > 0 || len(sum.unnamed) > 0 {
			return false
		}
		for _, ls := range [][]sumLock{sum.acquires, sum.mayAcquire, sum.releases, sum.mayRelease, sum.conditional} {
			for _, l := range ls {
				if lockField(l.class) == field {
					return false
				}
			}
		}
		return true
	}
	// the events of e's own block before it
	blk := a.fn.Blocks[at]
	for i := 0; i < idx; i++ {
		if !clean(&blk.Events[i]) {
			return parse.Pos{}, false
		}
	}
	if at == 0 {
		return parse.Pos{}, true
	}
	// paths through blocks whose every event is clean, searched from the
	// entry, each keeping the branch conditions it took: a path that
	// tests one condition both ways is not one (`if (file) lock ...
	// if (file) unlock`)
	passable := make(map[int]bool, len(a.fn.Blocks))
	pass := func(id int) bool {
		ok, done := passable[id]
		if !done {
			ok = true
			b := a.fn.Blocks[id]
			for i := range b.Events {
				if !clean(&b.Events[i]) {
					ok = false
					break
				}
			}
			passable[id] = ok
		}
		return ok
	}
	if !pass(0) {
		return parse.Pos{}, false
	}
	type node struct {
		id, parent int
		facts      factSet
	}
	nodes := []node{{id: 0, parent: -1}}
	seen := map[string]bool{"0": true}
	for i := 0; i < len(nodes) && len(nodes) < maxUntakenNodes; i++ {
		n := nodes[i]
		facts := throughBlock(n.facts, a.fn.Blocks[n.id])
		for _, sc := range a.fn.Blocks[n.id].Succs {
			f := facts
			if sc.Cond != "" && sc.Case == "" {
				cond, want := edgeFact(nil, &sc)
				if v, ok := f.lookup(cond); ok && v != want || want && eqClash(f, cond) {
					continue // the other way than before on this path
				} else if !ok {
					f = append(slices.Clip(f), factEntry{f: cond, v: want})
				}
			}
			if sc.To == at {
				var path []int
				for j := i; j >= 0; j = nodes[j].parent {
					path = append(path, nodes[j].id)
				}
				slices.Reverse(path)
				return a.divergence(path, takenAt), true
			}
			if sc.To == a.fn.Exit || !pass(sc.To) {
				continue
			}
			sk := nodeKey(sc.To, f)
			if seen[sk] {
				continue
			}
			seen[sk] = true
			nodes = append(nodes, node{id: sc.To, parent: i, facts: f})
		}
	}
	return parse.Pos{}, false
}

// maxUntakenNodes bounds the path search of untakenPath: beyond it the
// function says nothing.
const maxUntakenNodes = 4000

// throughBlock is what a path knows after block b: conditions on the
// variables it assigns are gone, and a variable set to NULL, 0 or false
// is known false (`adv = NULL` before `if (instance) adv = find(...)`).
func throughBlock(f factSet, b *parse.Block) factSet {
	for i := range b.Events {
		x := &b.Events[i]
		v := ""
		switch {
		case x.Kind == parse.EvAssign || x.Kind == parse.EvUpdate:
			v = x.Var
		case x.Kind == parse.EvCall:
			v = x.Result
		}
		if v == "" {
			continue
		}
		var out factSet
		for _, fe := range f {
			if !mentions(fe.f, v) {
				out = append(out, fe)
			}
		}
		if x.Kind == parse.EvAssign {
			switch x.Value.Norm {
			case "NULL", "0", "false":
				out = append(out, factEntry{f: v, v: false})
			}
		}
		f = out
	}
	return f
}

// eqClash tells whether cond, an equality of something with a constant
// (`PERF_TYPE_RAW==event->attr.type`), cannot hold where f says the same
// thing equals another constant (an else-if chain over its type).
func eqClash(f factSet, cond string) bool {
	x, c, ok := eqConst(cond)
	if !ok {
		return false
	}
	for _, fe := range f {
		if y, d, ok := eqConst(fe.f); ok && fe.v && y == x && d != c {
			return true
		}
	}
	return false
}

// eqConst splits `x==C` or `C==x` into x and the constant C.
func eqConst(cond string) (string, string, bool) {
	l, r, ok := strings.Cut(cond, "==")
	switch {
	case !ok || strings.Contains(r, "==") || strings.ContainsAny(strings.ReplaceAll(cond, "->", "."), "&|!?<>"):
		return "", "", false
	case constant(l) && !constant(r):
		return r, l, true
	case constant(r) && !constant(l):
		return l, r, true
	}
	return "", "", false
}

// nodeKey names a search node: a block and the conditions taken to it.
func nodeKey(id int, f factSet) string {
	ks := make([]string, 0, len(f)+1)
	for _, fe := range f {
		if fe.v {
			ks = append(ks, fe.f)
		} else {
			ks = append(ks, "!"+fe.f)
		}
	}
	sort.Strings(ks)
	return strconv.Itoa(id) + "\x00" + strings.Join(ks, "\x00")
}

// divergence is where a path of blocks from the entry leaves the code that leads to the
// acquisition at takenAt: the last event of the first block after it (the
// `goto out` that skips the lock).
func (a *analysis) divergence(path []int, takenAt parse.Pos) parse.Pos {
	leads := a.reaching(takenAt)
	j := 0
	for i, b := range path {
		if leads[b] {
			j = i + 1
		}
	}
	for ; j < len(path); j++ {
		if evs := a.fn.Blocks[path[j]].Events; len(evs) > 0 {
			return evs[len(evs)-1].Pos
		}
	}
	return parse.Pos{}
}

// reaching marks the blocks from which the event at pos can be reached.
func (a *analysis) reaching(pos parse.Pos) []bool {
	preds := make([][]int, len(a.fn.Blocks))
	for _, b := range a.fn.Blocks {
		for _, s := range b.Succs {
			preds[s.To] = append(preds[s.To], b.ID)
		}
	}
	target := a.blockAt(pos)
	leads := make([]bool, len(a.fn.Blocks))
	if target < 0 {
		return leads
	}
	leads[target] = true
	work := []int{target}
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		for _, p := range preds[b] {
			if !leads[p] {
				leads[p] = true
				work = append(work, p)
			}
		}
	}
	return leads
}

// blockAt is the block of the event at pos (a site keeps where a lock was
// taken, not the event), -1 if none.
func (a *analysis) blockAt(pos parse.Pos) int {
	b := -1
	for _, blk := range a.fn.Blocks {
		for i := range blk.Events {
			if blk.Events[i].Pos == pos {
				b = blk.ID
			}
		}
	}
	return b
}
