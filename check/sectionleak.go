package check

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

// A function that opens an atomic section itself (rcu_read_lock(),
// local_irq_save(), preempt_disable(), local_bh_disable()) and returns
// inside it on a path where other paths to that same return close it
// leaks the section: the caller runs on in it ("lock held when returning
// to user space" for RCU, a preempt count off by one). The sections are
// not locks the dataflow tracks (they nest and have no instance), so the
// check walks the control flow from each opening: a path to a return
// that passes no close, to a return that a closing path reaches too (or
// an error return), is the leak. Not followed, or not a leak:
//   - a path that tests again a condition tested on the way to the
//     opening (`if (atomic) preempt_disable(); ... if (atomic)
//     preempt_enable();`), or goes past a close on the other side of the
//     close's own test (`if (use_sg) kunmap_atomic()`);
//   - a call to a function in view that closes the section;
//   - a close decided by a flag the function keeps (`if (!(seq & 1))
//     rcu_read_unlock();`) or by the value it returns (`if (!ctx)
//     local_irq_restore(); return ctx;`);
//   - a success return kept open while the error paths close
//     (radix_tree_preload());
//   - a kind the function closes for its caller first (an exit-to-user
//     loop), or that some function of the file closes for its caller
//     without opening it (a kprobe post handler);
//   - a function annotated `__acquires(RCU)`.

// sectionNames name the sections in messages, in the order of sections
// (atomic.go), which closesSection's cases follow too.
var sectionNames = []string{"interrupts-disabled section", "preemption-disabled section", "softirq-disabled section",
	"RCU read-side section"}

// closesSection tells whether call e closes a section of kind i: its
// leave or reset calls, and the lock releases that restore what the
// section saved (`local_irq_save(flags); spin_lock(l); ...
// spin_unlock_irqrestore(l, flags)`).
func closesSection(i int, e *parse.Event) bool {
	sec := &sections[i]
	if sec.leave[e.Callee] || sec.reset[e.Callee] {
		return true
	}
	n := e.Callee
	switch i {
	case 0:
		return strings.Contains(n, "unlock_irq") || strings.Contains(n, "irq_restore") || strings.Contains(n, "irq_enable")
	case 1:
		return strings.HasPrefix(n, "preempt_enable") || strings.HasPrefix(n, "put_cpu")
	case 2:
		return strings.HasSuffix(n, "unlock_bh") || strings.HasSuffix(n, "bh_enable")
	}
	return strings.HasPrefix(n, "rcu_read_unlock")
}

// normCond is a test as the same question asked again reads:
// `unlikely(walk.nbytes)`, `!walk.nbytes`, `walk.nbytes > 0` and
// `walk.nbytes` are one test.
func normCond(c string) string {
	c = strings.ReplaceAll(c, " ", "")
	for {
		d := c
		for _, w := range []string{"unlikely(", "likely(", "!(", "("} {
			if strings.HasPrefix(c, w) && strings.HasSuffix(c, ")") {
				c = c[len(w) : len(c)-1]
			}
		}
		c = strings.TrimPrefix(c, "!")
		for _, z := range []string{">0", "!=0", "==0", "!=NULL", "==NULL"} {
			c = strings.TrimSuffix(c, z)
		}
		if c == d {
			return c
		}
	}
}

func (c *Checker) reportSectionLeaks() {
	// the kinds some function of a file closes for its caller: there a
	// section may be opened by one function and closed by another (a
	// kprobe handler that single-steps with preemption off, and the
	// post handler that turns it on)
	handed := map[string]map[int]bool{}
	type fnKinds struct {
		fi      *fnInfo
		callers map[int]bool
	}
	var todo []fnKinds
	for _, fi := range c.funcs {
		if !fi.opensSection() {
			continue
		}
		ks := c.closesCallers(fi)
		for i := range ks {
			if slices.ContainsFunc(fi.fn.Blocks, func(b *parse.Block) bool { return opensIn(b, i) }) {
				continue // (hands it back: an exit-to-user loop)
			}
			if handed[fi.fn.File] == nil {
				handed[fi.fn.File] = map[int]bool{}
			}
			handed[fi.fn.File][i] = true
		}
		if !annotatedAcquire(fi.fn) {
			todo = append(todo, fnKinds{fi, ks})
		}
	}
	for _, t := range todo {
		skip := map[int]bool{}
		for i := range sections {
			skip[i] = t.callers[i] || handed[t.fi.fn.File][i]
		}
		c.sectionLeaks(t.fi, skip)
	}
}

// annotatedAcquire tells whether the function says it returns holding
// something (`__acquires(RCU)`).
func annotatedAcquire(fn *parse.Function) bool {
	for _, an := range fn.Annotations {
		if an.Kind == "acquires" {
			return true
		}
	}
	return false
}

// closes reports whether event e of fi closes a section of kind i,
// itself or through a function in view.
func (c *Checker) closes(fi *fnInfo, i int, e *parse.Event) bool {
	if e.Kind != parse.EvCall {
		return false
	}
	if closesSection(i, e) {
		return true
	}
	callee := c.lookup(e.Callee, fi.file)
	return callee != nil && callee != fi && callee.closedKinds()[i]
}

// closedKinds are the kinds of section fi's body closes anywhere (once).
func (fi *fnInfo) closedKinds() *[4]bool {
	if fi.closed == nil {
		fi.closed = new([4]bool)
		for _, b := range fi.fn.Blocks {
			for j := range b.Events {
				for k := range sections {
					fi.closed[k] = fi.closed[k] || closesSection(k, &b.Events[j])
				}
			}
		}
	}
	return fi.closed
}

// closesCallers are the kinds fi closes before it opens one, on some
// path from its entry: its caller's section, which it may hand back as
// it found it (`local_irq_enable(); ... local_irq_disable();` in an
// exit-to-user loop) or close for good (a post handler).
func (c *Checker) closesCallers(fi *fnInfo) map[int]bool {
	fn := fi.fn
	out := map[int]bool{}
	for i := range sections {
		seen := map[int]bool{}
		var from func(x int) bool
		from = func(x int) bool {
			if seen[x] {
				return false
			}
			seen[x] = true
			for k := range fn.Blocks[x].Events {
				e := &fn.Blocks[x].Events[k]
				if e.Kind == parse.EvCall && sections[i].enter[e.Callee] {
					return false
				}
				if c.closes(fi, i, e) {
					return true
				}
			}
			for _, s := range fn.Blocks[x].Succs {
				if from(s.To) {
					return true
				}
			}
			return false
		}
		if from(0) {
			out[i] = true
		}
	}
	return out
}

// sectionLeaks reports each return of fi left inside a section fi opened,
// but for the kinds skip names.
func (c *Checker) sectionLeaks(fi *fnInfo, skip map[int]bool) {
	fn := fi.fn
	closes := func(i int, e *parse.Event) bool { return c.closes(fi, i, e) }
	preds := predsOf(fn)
	done := map[[2]int]bool{}
	for _, b := range fn.Blocks {
		for j := range b.Events {
			e := &b.Events[j]
			if e.Kind != parse.EvCall {
				continue
			}
			for i := range sections {
				if !sections[i].enter[e.Callee] || skip[i] {
					continue
				}
				c.sectionLeak(fi, b.ID, j, i, closes, preds, done)
			}
		}
	}
}

// sectionLeak follows the section of kind i that event j of block at
// opens.
func (c *Checker) sectionLeak(fi *fnInfo, at, j, i int, closes func(int, *parse.Event) bool, preds [][]int,
	done map[[2]int]bool) {
	fn := fi.fn
	open := &fn.Blocks[at].Events[j]
	// what the rest of the block does first
	for k := j + 1; k < len(fn.Blocks[at].Events); k++ {
		e := &fn.Blocks[at].Events[k]
		if closes(i, e) || e.Kind == parse.EvCall && sections[i].enter[e.Callee] {
			return
		}
		if e.Kind == parse.EvReturn {
			return // (returns open on its only path: a helper that opens it)
		}
	}
	// the tests that lead to the opening: up the chain of blocks with
	// one way in (`if (walk.nbytes > 0) kernel_fpu_begin();`; a label
	// that a `goto replay` also reaches has two)
	guards := map[string]bool{}
	upChain(fn, preds, at, func(s parse.Edge) bool {
		if s.Cond != "" {
			guards[normCond(s.Cond)] = true
		}
		return false
	})
	// and every test before it: the blocks that reach it and that it
	// does not reach (`if (!walk.nbytes) return err;` before a
	// `while (walk.nbytes)` that the opening precedes)
	after := forward(fn, at, func(int) bool { return true })
	before := map[int]bool{}
	for work := []int{at}; len(work) > 0; {
		x := work[len(work)-1]
		work = work[:len(work)-1]
		for _, p := range preds[x] {
			if !before[p] && !after[p] {
				before[p] = true
				work = append(work, p)
			}
		}
	}
	for p := range before {
		for _, s := range fn.Blocks[p].Succs {
			if s.Cond != "" {
				guards[normCond(s.Cond)] = true
			}
		}
	}
	// forward: the blocks reached still open, and those reached closed
	type leak struct {
		ret   *parse.Event
		block int
	}
	var leaks []leak
	var openAt map[int]bool
	var closedFrom []int
	run := func(skip map[string]bool) {
		leaks, openAt, closedFrom = nil, map[int]bool{}, nil
		var walk func(x int)
		walk = func(x int) {
			if openAt[x] {
				return
			}
			openAt[x] = true
			b := fn.Blocks[x]
			for k := range b.Events {
				e := &b.Events[k]
				if closes(i, e) {
					closedFrom = append(closedFrom, x)
					return
				}
				if e.Kind == parse.EvCall && sections[i].enter[e.Callee] {
					return // (opened again: followed from there)
				}
				if e.Kind == parse.EvReturn {
					leaks = append(leaks, leak{e, x})
					return
				}
			}
			for _, s := range b.Succs {
				if s.Cond != "" && s.Case == "" && skip[normCond(s.Cond)] {
					continue // (tested again: the way in decides)
				}
				if s.To == fn.Exit {
					continue // (off the end of a void function: not a return in the text)
				}
				walk(s.To)
			}
		}
		for _, s := range fn.Blocks[at].Succs {
			if s.Cond != "" && s.Case == "" && skip[normCond(s.Cond)] {
				continue
			}
			if s.To != fn.Exit {
				walk(s.To)
			}
		}
	}
	run(guards)
	// the tests that decide the closes: a close only where the returned
	// value says so is an API (`if (!ctx) local_irq_restore(*flags);
	// return ctx;`), one decided by a flag the function keeps is
	// correlated with how it opened (`if (!(seq & 1)) rcu_read_unlock();`
	// in a seqlock retry), and a path that goes past a close on the other
	// side of its test is correlated with it (`if (use_sg) kunmap_atomic()`
	// after a kmap_atomic() of the first element)
	closeGuards := map[string]bool{}
	flagGuards := map[string]bool{}
	for _, x := range closedFrom {
		// (only a close from which a leaking return is reached, still
		// closed: one followed by its own return, `if (!ss) {
		// rcu_read_unlock(); return -EINVAL; }`, or by an opening
		// again, is a way out the leak path goes around)
		passed := false
		if !opensIn(fn.Blocks[x], i) { // (closed and opened again: `rcu_read_unlock(); request_module(); rcu_read_lock();`)
			from := closedReach(fn, x, i)
			for _, l := range leaks {
				passed = passed || from[l.block]
			}
		}
		// (the test right above it: the if that holds it)
		upChain(fn, preds, x, func(s parse.Edge) bool {
			if s.Cond == "" && s.Case == "" {
				return false
			}
			if s.Case == "" {
				flagGuards[normCond(s.Cond)] = true
				if passed {
					closeGuards[normCond(s.Cond)] = true
				}
			}
			return true
		})
	}
	flags := constLocals(fn)
	for g := range flagGuards {
		for _, id := range identsOf(g) {
			if flags[id] {
				return
			}
		}
	}
	if len(closeGuards) > 0 && len(leaks) > 0 {
		closed := closedFrom
		both := map[string]bool{}
		for g := range guards {
			both[g] = true
		}
		for g := range closeGuards {
			both[g] = true
		}
		run(both)
		closedFrom = closed
	}
	if len(closedFrom) == 0 || len(leaks) == 0 {
		return // (never closed here: the section is the caller's to close)
	}
	// the returns a closed path reaches
	closedAt := map[int]bool{}
	for _, x := range closedFrom {
		maps.Copy(closedAt, closedReach(fn, x, i))
	}
	for _, l := range leaks {
		if v := l.ret.Value.Norm; v != "" && flagGuards[v] {
			continue // (held exactly when it returns v)
		}
		errReturn := strings.HasPrefix(l.ret.Value.Norm, "-E")
		if v := l.ret.Value.Norm; parse.IsIdentifier(v) {
			// `if (err) return err;`: an error return too
			errReturn = testedBefore(fn, preds, l.block, v)
			if !errReturn && successWhenOpen(fn, v, openAt, closedAt) {
				continue // (held when it succeeds: `ret = 0` kept, the error paths close)
			}
		}
		if !closedAt[l.block] && !errReturn {
			continue
		}
		if done[[2]int{l.ret.Pos.Line, i}] {
			continue
		}
		done[[2]int{l.ret.Pos.Line, i}] = true
		why := "paths that close it reach this return too"
		if !closedAt[l.block] {
			why = "this error return leaves it open, and other paths close it"
		}
		c.report(Finding{Rule: "lock-balance", Severity: rules.Warning, File: fn.File, Line: l.ret.Pos.Line, Column: l.ret.Pos.Col,
			Function: fn.Name,
			Message: fmt.Sprintf("returns inside the %s that %s() opened at line %d: %s", sectionNames[i], open.Callee,
				open.Pos.Line, why),
			Trace: []Note{{File: fn.File, Line: open.Pos.Line, Note: open.Callee + "() opens it here"}}})
	}
}

// constLocals are the local variables the function gives constant values
// (`seq = 1`, `locked = true`): flags it keeps about its own paths.
func constLocals(fn *parse.Function) map[string]bool {
	out := map[string]bool{}
	for _, b := range fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			if e.Kind != parse.EvAssign || isParamOf(fn, e.Var) {
				continue
			}
			if v := e.Value.Norm; v == "true" || v == "false" || v == "NULL" || v != "" && v[0] >= '0' && v[0] <= '9' {
				out[e.Var] = true
			}
		}
	}
	return out
}

// opensIn tells whether block b opens a section of kind i.
func opensIn(b *parse.Block, i int) bool {
	for j := range b.Events {
		if e := &b.Events[j]; e.Kind == parse.EvCall && sections[i].enter[e.Callee] {
			return true
		}
	}
	return false
}

// successWhenOpen tells whether the returned variable v is given a value
// that is not an error only on the paths still open (`ret = 0;`, `ret =
// dev->ops->attach(dev);`) while it holds an error code where the paths
// closed (`int ret = -ENOMEM;` and a `goto out` after the close): the
// function returns in the section when it succeeds, by design
// (radix_tree_preload()); an error given on an open path is a leak.
func successWhenOpen(fn *parse.Function, v string, openAt, closedAt map[int]bool) bool {
	openOK, openErr, closedErr := false, false, false
	for _, b := range fn.Blocks {
		for j := range b.Events {
			e := &b.Events[j]
			if e.Kind != parse.EvAssign || e.Var != v {
				continue
			}
			isErr := strings.HasPrefix(e.Value.Norm, "-E")
			switch {
			case openAt[b.ID] && !closedAt[b.ID]:
				openErr = openErr || isErr
				openOK = openOK || !isErr
			case isErr:
				closedErr = true
			}
		}
	}
	return openOK && !openErr && closedErr
}

// testedBefore tells whether the block at is reached, up its chain of
// blocks with one way in, through a test of v (`if (err)`).
func testedBefore(fn *parse.Function, preds [][]int, at int, v string) bool {
	found := false
	upChain(fn, preds, at, func(s parse.Edge) bool {
		found = s.Cond != "" && normCond(s.Cond) == v
		return found
	})
	return found
}

// upChain visits the edges into block x and up its chain of blocks with
// one way in, nearest first, until visit returns true.
func upChain(fn *parse.Function, preds [][]int, x int, visit func(parse.Edge) bool) {
	for seen := map[int]bool{}; len(preds[x]) == 1 && !seen[x]; {
		seen[x] = true
		p := preds[x][0]
		for _, s := range fn.Blocks[p].Succs {
			if s.To == x && visit(s) {
				return
			}
		}
		x = p
	}
}

// forward are the blocks reached from block x of fn along edges into
// blocks enter accepts (x only when reached again), the exit left out.
func forward(fn *parse.Function, x int, enter func(int) bool) map[int]bool {
	out := map[int]bool{}
	for work := []int{x}; len(work) > 0; {
		y := work[len(work)-1]
		work = work[:len(work)-1]
		for _, s := range fn.Blocks[y].Succs {
			if s.To != fn.Exit && !out[s.To] && enter(s.To) {
				out[s.To] = true
				work = append(work, s.To)
			}
		}
	}
	return out
}

// closedReach are the blocks reached from block x of fn without opening
// a section of kind i again (x included).
func closedReach(fn *parse.Function, x, i int) map[int]bool {
	out := forward(fn, x, func(y int) bool { return !opensIn(fn.Blocks[y], i) })
	out[x] = true
	return out
}
