package check

import (
	"fmt"
	"strings"

	"github.com/locklint/locklint/parse"
)

// A backward goto (`goto retry;`) taken with a lock held, to a label from
// which every path takes that lock again before any release: the retry
// deadlocks on its own lock. The unlock before the goto is what is
// missing. Reported at the goto when every path reaching it holds the
// lock, taken by this function.

// gotoRetake checks the goto e, the last event of block b, over state s.
func (a *analysis) gotoRetake(s state, e *parse.Event, b *parse.Block) {
	if !a.rep || len(s) == 0 || len(b.Succs) != 1 {
		return
	}
	target := b.Succs[0].To
	if !a.backward(target, e) {
		return
	}
	for k, v := range s[0].locks.all() {
		if v.b != bH || v.site.note != "" || !a.direct[k] || a.sema[k] || unstable(k.inst) {
			continue
		}
		holder := "" // the local holding a made object the lock is on
		if !stable(k.inst) {
			if holder = holderOf(s, k.inst); holder == "" {
				continue
			}
		}
		every := true
		for _, p := range s[1:] {
			w, ok := p.locks.lookup(k)
			every = every && ok && w.b == bH
		}
		if !every {
			continue
		}
		name := a.displayInst(k)
		if v.passed || a.mayDrop(k.class, name) {
			continue
		}
		at, ok := a.takenFirst(target, k.class, name)
		if holder != "" {
			ok = false // (a made object: only the renaming below is told)
		}
		if !ok {
			// or the retry gives the lock's object a new value before
			// anything else happens to the lock: the old object's lock
			// is never released (and if the new value is the same object,
			// the next acquisition deadlocks)
			root := rootIdent(name)
			if holder != "" {
				root = holder
			}
			if root == "" || root == name || !a.isLocal(root) {
				continue
			}
			if at, ok := a.renamedFirst(target, k.class, root); ok {
				a.finding("lock-balance", a.c.sev["lock-balance"], e,
					fmt.Sprintf("goto %s with %s held: line %d gives %s a new object before any release, so the lock on the one it held is never released", e.Label, name, at.Line, root),
					a.note(v.site, "%s takes it here", v.site.full()))
			}
			continue
		}
		tr := []Note{a.note(v.site, "%s takes it here", v.site.full())}
		if at.Line != v.site.pos.Line {
			tr = append(tr, Note{File: a.fn.File, Line: at.Line, Note: "taken again here, after the goto, while still held"})
		} else {
			tr[0].Note += ", and again after the goto, while still held"
		}
		a.finding("double-acquire", a.c.sev["double-acquire"], e,
			fmt.Sprintf("goto %s with %s held: it is taken again at line %d", e.Label, name, at.Line), tr...)
	}
}

// backward tells whether block target starts before goto e in the text.
func (a *analysis) backward(target int, e *parse.Event) bool {
	evs := a.fn.Blocks[target].Events
	return len(evs) > 0 && evs[0].Pos.Line < e.Pos.Line
}

// takenFirst tells whether every path from block from meets an acquisition
// of the lock (class, spelled name) before any other operation on the
// class, and before the function's exit; it returns one such place.
func (a *analysis) takenFirst(from int, class, name string) (parse.Pos, bool) {
	return a.firstOnEveryPath(from, func(x *parse.Event) (bool, bool) {
		if x.Kind != parse.EvCall {
			return false, true
		}
		decided := false
		for _, op := range a.ops(x) {
			if op.class != class {
				continue
			}
			if op.kind != opAcquire || op.inst != name {
				return false, false
			}
			decided = true
		}
		return decided, true
	})
}

// firstOnEveryPath walks every path from block from to the first event
// that decides it: event says whether x decides the path (found) and
// whether the walk may go on (a path ending at a return, at the exit or
// at an event refused fails it). It returns one deciding event's place.
func (a *analysis) firstOnEveryPath(from int, event func(x *parse.Event) (found, ok bool)) (parse.Pos, bool) {
	var at parse.Pos
	seen := make([]bool, len(a.fn.Blocks))
	work := []int{from}
	seen[from] = true
	for len(work) > 0 {
		id := work[len(work)-1]
		work = work[:len(work)-1]
		if id == a.fn.Exit {
			return at, false
		}
		blk := a.fn.Blocks[id]
		decided := false
		for i := range blk.Events {
			x := &blk.Events[i]
			if x.Kind == parse.EvReturn {
				return at, false
			}
			found, ok := event(x)
			if !ok {
				return at, false
			}
			if found {
				at, decided = x.Pos, true
				break
			}
		}
		if decided {
			continue
		}
		if len(blk.Succs) == 0 {
			return at, false
		}
		for _, s := range blk.Succs {
			if !seen[s.To] {
				seen[s.To] = true
				work = append(work, s.To)
			}
		}
	}
	return at, at.Line > 0
}

// holderOf is the variable that holds, on every partition of s, the
// made object (`@12->lock`) inst is a lock of; "" if there is none.
func holderOf(s state, inst string) string {
	obj := inst
	if i := strings.IndexAny(inst, "-."); i > 0 {
		obj = inst[:i]
	}
	holder := ""
	for _, p := range s {
		found := ""
		for _, e := range p.vars {
			if e.v == obj {
				found = e.k
				break
			}
		}
		if found == "" || holder != "" && found != holder {
			return ""
		}
		holder = found
	}
	return holder
}

// renamedFirst tells whether every path from block from assigns root
// before any operation on the class, any return and the exit; it returns
// one such assignment.
func (a *analysis) renamedFirst(from int, class, root string) (parse.Pos, bool) {
	return a.firstOnEveryPath(from, func(x *parse.Event) (bool, bool) {
		if x.Kind == parse.EvAssign && x.Var == root {
			return true, true
		}
		if x.Kind == parse.EvCall {
			for _, op := range a.ops(x) {
				if op.class == class {
					return false, false
				}
			}
		}
		return false, true
	})
}

// mayDrop tells whether some call of the function may release the lock
// under another name or out of sight: a callee that releases its class
// (do_signal_stop() drops `current->sighand->siglock`, which the caller
// holds as `sighand->siglock`), or a function not analyzed that is handed
// the lock itself (`sleep_on_spinunlock(&c->wq, &c->lock)`, a macro).
func (a *analysis) mayDrop(class, name string) bool {
	for _, b := range a.fn.Blocks {
		for i := range b.Events {
			x := &b.Events[i]
			if x.Kind != parse.EvCall || len(a.ops(x)) > 0 || a.c.lockPredicate(x.Callee) {
				continue // (might_lock(&l) only looks at it)
			}
			callee := a.c.lookup(x.Callee, a.fi.file)
			if callee == nil {
				for _, arg := range x.Args {
					if arg.Norm == name {
						return true
					}
				}
				continue
			}
			if callee.sum == nil {
				continue
			}
			for _, ls := range [][]sumLock{callee.sum.releases, callee.sum.mayRelease} {
				for _, l := range ls {
					if lockField(l.class) == lockField(class) {
						return true // (one class may be named by type or by access path)
					}
				}
			}
		}
	}
	return false
}

// lockField is the last component of a class name (`sighand_struct.siglock`
// and `sighand.siglock` both end in siglock).
func lockField(class string) string {
	if i := strings.LastIndexByte(class, '.'); i >= 0 {
		return class[i+1:]
	}
	return class
}
