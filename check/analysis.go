package check

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

// analysis is the lock-state dataflow over one function.
type analysis struct {
	c   *Checker
	fi  *fnInfo
	fn  *parse.Function
	ty  *typer
	in  []state // per block, at its start
	rep bool    // the reporting pass
	// scratch holds the copies a block works on (see block)
	scratch  []partition
	scratchS state
	jscratch joinScratch

	// readLines are the lines a reads rule reported a read on (one
	// finding per statement, for its first field)
	readLines map[int]bool
	// origin maps objects made here to the calls that made them
	origin map[string][]string
	// acquired lists the locks this function takes; callerHeld those it
	// finds held on entry (its first use of them is a release)
	acquired   map[key]bool
	callerHeld map[key]bool
	// direct: the locks a lock call of this function takes (not a callee)
	direct map[key]bool
	// fromEntry: the locks it takes exclusively while still untouched
	// (the caller cannot be holding them)
	fromEntry map[key]bool
	untaken   []untakenRelease // (see releaseUntaken)
	taken     map[key]sumTake  // what it takes (see noteTake)
	// sema: counting semaphores (countingSemaphore), which nothing balances
	sema map[key]bool
	// mayRel: the locks a callee may have released (its summary says
	// so), with how many calls down the release is, plus one
	mayRel map[key]int
	// returns are the lock states at each return, for lock-balance
	returns []retSnap
	// publishLater maps a variable to the offsets where a guarded rule's
	// publish call hands it over
	publishLater map[*rules.Rule]map[string][]uint32
	assigns      map[string][]uint32
	// anticipated: per block and class, acquired later on every path
	ant map[string][]bool
	// errOnly caches onlyErrors: locals only ever set to error constants
	errOnly map[string]bool
	// used caches resultUsed: calls whose result the function tests
	used map[*parse.Event]bool
	// conditional: locks held on success returns only (see conditionalAPI)
	conditional map[key]opKind
	// rel are the variables worth tracking; condRel caches relevantCond
	rel     map[string]bool
	condRel map[string]bool
	// retVars are the variables some return gives back
	retVars map[string]bool
	// errnoVars memoizes nonZeroError's reading of a variable
	errnoVars map[string]bool
	// flags are the variables the function sets only to constants
	// (`retry = true`, `locked = 0`): a branch on one is remembered, and
	// a constant stored in one is a fact (`} while (retry);`)
	flags map[string]bool
	// casePreds are flags a switch predicate computed (predicates.go)
	casePreds map[string]casePred
	// loopCalls are, per block a back edge enters, the calls of its loop
	// whose answers each round asks again: facts about them are dropped
	// on the way in (noteLoopCalls)
	loopCalls map[int][]string
	// preds (predecessors) serve relevantVars, noteLoopCalls and
	// unrelatedTests; related serves unrelatedTests (takes.go)
	preds   [][]int
	related map[string]map[string]bool
	// callResults are the variables calls of the function store their
	// results in, parameters aside (callFailureTest)
	callResults map[string]bool
	// paramRelated serves unrelatedTests for global locks (takes.go)
	paramRelated map[string]bool
	// retTries are the trylocks whose result a return gives back
	retTries map[key]tryOp
	sum      summary
	// memo holds per-event answers, by Seq (memoOf)
	memo []evMemo
	// joinNames caches joinName's function per block
	joinNames []func(v, x, y string) string
}

type retPart struct {
	value string
	locks map[key]bits
	err   bool // the value was tested negative on this path
	// zero: the value is known 0 here (`ret = 0` and nothing since);
	// mayZero: nothing known here says it is not 0
	zero, mayZero bool
}

type retSnap struct {
	pos   parse.Pos
	value string
	obj   string // the object the value names, resolved
	// someErr: some path here tested the returned variable as an error;
	// mayZero: some path tested it and found no error
	someErr, mayZero bool
	known            string // what the value is on the paths here (valueClass)
	// end is set for the end of the body, which paths run off: merged
	// there from many blocks, a lock held on some of them only is too
	// coarse a state to warn about
	end    bool
	locks  map[key]bits
	passed map[key]bool
	// tried: the locks a trylock whose result this return gives may hold
	tried map[key]bool
	// parts are the paths to a `return v` with what each knows of v
	parts []retPart
	// absent: what the paths that never touched a lock have of it
	absent map[key]bits
}

func newAnalysis(c *Checker, fi *fnInfo) *analysis {
	return &analysis{c: c, fi: fi, fn: fi.fn, ty: &typer{fn: fi.fn, structs: c.structs},
		origin: map[string][]string{}, acquired: map[key]bool{}, callerHeld: map[key]bool{}, direct: map[key]bool{}, fromEntry: map[key]bool{}, taken: map[key]sumTake{}, sema: map[key]bool{}, mayRel: map[key]int{}, ant: map[string][]bool{}, conditional: map[key]opKind{}, condRel: map[string]bool{}}
}

func (a *analysis) typeOf(e string) string { return a.ty.typeOf(e) }

func (a *analysis) entry() *partition {
	p := newPartition()
	for _, v := range a.fn.Params {
		p.setVar(v.Name, v.Name)
	}
	defer a.assumeHeld(state{p})
	acquires := map[string]bool{}
	for _, an := range a.fn.Annotations {
		if an.Kind == "acquires" {
			acquires[an.Arg.Norm] = true
		}
	}
	for _, an := range a.fn.Annotations {
		if an.Kind == "releases" && acquires[an.Arg.Norm] {
			continue // `__acquires(l) __releases(l)`: takes it and drops it
		}
		switch an.Kind {
		case "must_hold", "releases":
			k := key{class: genericClass(an.Arg.Norm, a.typeOf), inst: a.annotated(an.Arg.Norm)}
			p.setLock(k, lockVal{b: bH, site: site{pos: an.Pos, text: "__" + an.Kind + "(" + an.Arg.Text + ")"}})
			a.callerHeld[k] = true
		}
	}
	return p
}

// annotated is an annotation's lock as the body names it: a local in it
// (`__must_hold(&session->frwd_lock)` with `session = conn->session` in
// the declarations) stands for what the function first sets it to.
func (a *analysis) annotated(inst string) string {
	root := rootIdent(inst)
	if root == "" {
		return inst
	}
	for _, p := range a.fn.Params {
		if p.Name == root {
			return inst
		}
	}
	if _, local := a.fn.VarType(root); !local || len(a.fn.Blocks) == 0 {
		return inst
	}
	for _, e := range a.fn.Blocks[0].Events {
		if e.Kind == parse.EvAssign && e.Var == root {
			if isPath(e.Value.Norm) {
				return e.Value.Norm + inst[len(root):]
			}
			break
		}
	}
	return inst
}

// run computes the fixpoint and reports, component by component (see
// components): a block on no cycle reports on its one visit, a loop once
// it has settled.
func (a *analysis) run() *summary {
	a.prescan()
	nb := len(a.fn.Blocks)
	// the states per block (at its start, at its end, and the one before
	// the start's last change) in one allocation, and so the counters
	states := make([]state, 3*nb)
	a.in = states[:nb:nb]
	out := states[nb : 2*nb : 2*nb]
	older := states[2*nb:] // the state that came in before a.in
	a.in[0] = state{a.entry()}
	order := a.rpo()
	ints := make([]int, 3*nb+1)
	// the predecessor edges of every block, in one backing array: those
	// of block id are all[npred[id]:npred[id+1]]
	npred, fill, visits := ints[:nb+1], ints[nb+1:2*nb+1], ints[2*nb+1:]
	for _, b := range a.fn.Blocks {
		for _, e := range b.Succs {
			npred[e.To+1]++
		}
	}
	for i := 1; i <= nb; i++ {
		npred[i] += npred[i-1]
	}
	all := make([]predEdge, npred[nb])
	copy(fill, npred[:nb])
	for _, b := range a.fn.Blocks {
		for k, e := range b.Succs {
			all[fill[e.To]] = predEdge{from: b.ID, edge: k}
			fill[e.To]++
		}
	}
	var ins []state // reused: join keeps none of it
	// a worklist in reverse postorder: a block is redone only when what
	// flows into it changed; after many visits (a loop that keeps
	// splitting on facts) its facts are dropped so it settles
	dirty := make([]bool, nb)
	dirty[0] = true
	// the blocks go in strongly connected components, in an order where
	// every edge between two goes forward. A block on no cycle runs once,
	// with the state it settles on (all it depends on is done): it
	// reports as it runs. The blocks of a loop run until they settle,
	// then once more reporting. (Without a cycle that is one sweep in
	// reverse postorder.)
	comps, compIdx := components(a.fn, order)
	budget := 40*nb + 2000 // block visits before giving up on the function
	for ci, comp := range comps {
		a.rep = !comp.cyclic
		for changed := true; changed; {
			changed = false
			for _, id := range comp.blocks {
				if !dirty[id] {
					continue
				}
				if budget--; budget < 0 {
					// pathological control flow: say nothing about this
					// function rather than spend unbounded time on it
					a.c.gaveUp++
					return &summary{}
				}
				dirty[id] = false
				visits[id]++
				if visits[id] > 60 {
					continue // give up on this block: keep what it has
				}
				if id != 0 {
					ins = ins[:0]
					for _, pe := range all[npred[id]:npred[id+1]] {
						if out[pe.from] != nil {
							ins = append(ins, a.edge(out[pe.from], &a.fn.Blocks[pe.from].Succs[pe.edge], pe.from))
						}
					}
					st := join(ins, a.joinName(id), a.flags, &a.jscratch)
					if tooManyLocks(st) {
						a.c.gaveUp++
						return &summary{}
					}
					if visits[id] > 2 && older[id] != nil && st.equal(older[id]) {
						// a loop that swings between two states (partitions
						// merge one way on one round and the other way on
						// the next) settles on what the two hold together
						st = join([]state{a.in[id], st}, a.joinName(id), a.flags, &a.jscratch)
					}
					if visits[id] > 20 {
						st = dropFacts(st, a.joinName(id))
					}
					if visits[id] > 1 && st.equal(a.in[id]) {
						continue
					}
					older[id], a.in[id] = a.in[id], st
				}
				o := a.block(id, a.in[id])
				if tooManyLocks(o) {
					// every block's state holds every lock: thousands of them
					// (a generated else-if chain taking a different lock in
					// each branch) would need memory quadratic in the code
					a.c.gaveUp++
					return &summary{}
				}
				if visits[id] == 1 || !o.equal(out[id]) {
					out[id] = o
					for _, e := range a.fn.Blocks[id].Succs {
						dirty[e.To] = true
						changed = changed || comp.cyclic && compIdx[e.To] == ci
					}
				}
			}
		}
		if !comp.cyclic {
			continue
		}
		// the reporting pass over the loop, on the states it settled on
		// (what each block makes of them is what its last visit made)
		a.rep = true
		for _, id := range comp.blocks {
			a.block(id, a.in[id])
		}
	}
	a.rep = true
	// the end of the body is a return too: a void function that returns
	// early with the lock held and releases it at the end is unbalanced
	// like any other. The paths that run off the end are taken along
	// their edges (a branch on a trylock's result decides there) and met
	// as one return.
	var offEnd []state
	for _, id := range order {
		o := out[id]
		if !a.fallsOff(id) {
			continue
		}
		for k := range a.fn.Blocks[id].Succs {
			if e := &a.fn.Blocks[id].Succs[k]; e.To == a.fn.Exit {
				offEnd = append(offEnd, a.edge(o, e, id))
			}
		}
	}
	if st := join(offEnd, a.joinName(a.fn.Exit), a.flags, nil); len(st) > 0 {
		a.recordReturn(st, &parse.Event{Kind: parse.EvReturn, Pos: a.fn.End})
		a.returns[len(a.returns)-1].end = true
	}
	a.checkBalance()
	a.reportUntaken()
	a.finishProbe()
	a.summarize(a.in[a.fn.Exit])
	a.summarizeTakes()
	a.sum.finishNotes()
	if debugFn != "" && debugFn == a.fn.Name {
		fmt.Fprintf(os.Stderr, "summary of %s: acquires %+v may-acquire %+v releases %+v may-release %+v conditional %+v needs %d\n",
			a.fn.Name, a.sum.acquires, a.sum.mayAcquire, a.sum.releases, a.sum.mayRelease, a.sum.conditional, len(a.sum.needs))
		debugState(a.fn.Exit, &parse.Event{Kind: parse.EvLabel, Label: "<exit>"}, a.in[a.fn.Exit])
	}
	a.sum.alwaysZero = returnsOnlyZero(a.fn)
	return &a.sum
}

type predEdge struct{ from, edge int }

// component is a strongly connected component of a function's blocks:
// its blocks in reverse postorder; cyclic when some path comes round.
type component struct {
	blocks []int
	cyclic bool
}

// components splits the blocks of order (reverse postorder, the blocks
// reached from the entry) into strongly connected components, listed so
// that every edge between two goes from an earlier one to a later one
// (by the position of each one's first block in order), and gives each
// block's component (-1 for a block not reached).
func components(fn *parse.Function, order []int) ([]component, []int) {
	nb := len(fn.Blocks)
	// the per-block arrays in one allocation: pos, index, low, root, idx,
	// byRoot, and the blocks of all components together
	buf := make([]int, 6*nb+len(order))
	pos, index, low, root, idx, byRoot := buf[:nb], buf[nb:2*nb], buf[2*nb:3*nb], buf[3*nb:4*nb], buf[4*nb:5*nb], buf[5*nb:6*nb]
	all := buf[6*nb:]
	for i := range pos {
		pos[i], index[i], idx[i], byRoot[i] = -1, -1, -1, -1
	}
	for i, id := range order {
		pos[id] = i
	}
	// Tarjan's algorithm, without recursion
	on := make([]bool, nb)
	// root: block -> its component's root
	var stack []int
	next := 0
	type frame struct{ b, k int }
	for _, start := range order {
		if index[start] >= 0 {
			continue
		}
		calls := []frame{{start, 0}}
		index[start], low[start] = next, next
		next++
		stack = append(stack, start)
		on[start] = true
		for len(calls) > 0 {
			top := &calls[len(calls)-1]
			succs := fn.Blocks[top.b].Succs
			if top.k < len(succs) {
				to := succs[top.k].To
				top.k++
				if to < 0 || to >= nb || pos[to] < 0 {
					continue
				}
				if index[to] < 0 {
					index[to], low[to] = next, next
					next++
					stack = append(stack, to)
					on[to] = true
					calls = append(calls, frame{to, 0})
				} else if on[to] && index[to] < low[top.b] {
					low[top.b] = index[to]
				}
				continue
			}
			b := top.b
			calls = calls[:len(calls)-1]
			if len(calls) > 0 {
				if p := calls[len(calls)-1].b; low[b] < low[p] {
					low[p] = low[b]
				}
			}
			if low[b] == index[b] {
				for {
					x := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					on[x] = false
					root[x] = b
					if x == b {
						break
					}
				}
			}
		}
	}
	// number the components in order of their first block, count their
	// blocks, then lay each one's blocks out in one backing array
	n := 0
	for _, id := range order {
		r := root[id]
		if byRoot[r] < 0 {
			byRoot[r] = n
			n++
		}
		idx[id] = byRoot[root[id]]
	}
	comps := make([]component, n)
	size := make([]int, n)
	for _, id := range order {
		size[idx[id]]++
	}
	off := 0
	for ci := range comps {
		comps[ci].blocks = all[off : off : off+size[ci]]
		off += size[ci]
	}
	for _, id := range order {
		c := &comps[idx[id]]
		c.blocks = append(c.blocks, id)
	}
	for ci := range comps {
		c := &comps[ci]
		c.cyclic = len(c.blocks) > 1
		if !c.cyclic {
			for _, e := range fn.Blocks[c.blocks[0]].Succs {
				c.cyclic = c.cyclic || e.To == c.blocks[0]
			}
		}
	}
	return comps, idx
}

// fallsOff tells whether block id reaches the exit by running off the end
// of the body rather than by a return.
func (a *analysis) fallsOff(id int) bool {
	b := a.fn.Blocks[id]
	if id == a.fn.Exit {
		return false
	}
	toExit := false
	for _, e := range b.Succs {
		toExit = toExit || e.To == a.fn.Exit
	}
	if !toExit {
		return false
	}
	return len(b.Events) == 0 || b.Events[len(b.Events)-1].Kind != parse.EvReturn
}

// maxLocksPerPath bounds the lock instances one partition tracks; past it
// the function is given up like one whose dataflow does not settle. Kernel
// functions touch a few dozen at most.
const maxLocksPerPath = 256

func tooManyLocks(s state) bool {
	for _, p := range s {
		if len(p.locks) > maxLocksPerPath {
			return true
		}
	}
	return false
}

func dropFacts(s state, joinName func(string, string, string) string) state {
	if len(s) <= 1 {
		return s
	}
	all := s[0].clone()
	all.clearFacts()
	for _, p := range s[1:] {
		all.mergeInto(p, joinName)
	}
	return state{all}
}

// rpo orders blocks in reverse postorder from the entry. The depth-first
// walk keeps its own stack (block, next successor to try): a CFG is as
// deep as the code is long (an else-if chain of 100,000 branches), too
// deep to recurse on. Unreachable blocks are left out, as they get no
// state.
func (a *analysis) rpo() []int {
	nb := len(a.fn.Blocks)
	seen := make([]bool, nb)
	post := make([]int, 0, nb)
	type frame struct{ b, k int }
	stack := []frame{{0, 0}}
	seen[0] = true
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		succs := a.fn.Blocks[top.b].Succs
		if top.k < len(succs) {
			to := succs[top.k].To
			top.k++
			if !seen[to] {
				seen[to] = true
				stack = append(stack, frame{to, 0})
			}
			continue
		}
		post = append(post, top.b)
		stack = stack[:len(stack)-1]
	}
	order := make([]int, 0, len(post))
	for i := len(post) - 1; i >= 0; i-- {
		order = append(order, post[i])
	}
	return order
}

// joinName names the object a variable holds where paths that disagree
// meet, and records its origins as the union of theirs.
func (a *analysis) joinName(block int) func(v, x, y string) string {
	if block < 0 || block >= len(a.fn.Blocks) {
		return a.newJoinName(block)
	}
	if a.joinNames == nil {
		a.joinNames = make([]func(v, x, y string) string, len(a.fn.Blocks))
	}
	if a.joinNames[block] == nil {
		a.joinNames[block] = a.newJoinName(block)
	}
	return a.joinNames[block]
}

func (a *analysis) newJoinName(block int) func(v, x, y string) string {
	prefix := "?" + strconv.Itoa(block) + ":"
	return func(v, x, y string) string {
		if strings.HasPrefix(x, prefix) {
			a.addOrigins(x, y)
			return x
		}
		n := prefix + v
		a.addOrigins(n, x)
		a.addOrigins(n, y)
		return n
	}
}

func (a *analysis) addOrigins(to, from string) {
	for _, o := range a.origin[from] {
		if !contains(a.origin[to], o) {
			a.origin[to] = append(a.origin[to], o)
		}
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// assignedCond reads a condition that assigns as one on the variable:
// `(status=get_ready_ep(f,d))<0` tests what `status<0` does.
func assignedCond(c string) string {
	if !strings.HasPrefix(c, "(") {
		return c
	}
	i := 1
	for i < len(c) && isIdentByte(c[i]) {
		i++
	}
	if i == 1 || i+1 >= len(c) || c[i] != '=' || c[i+1] == '=' {
		return c
	}
	depth := 0
	for j := 0; j < len(c); j++ {
		switch c[j] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return c[1:i] + c[j+1:]
			}
		}
	}
	return c
}

// edgeFact is the fact an edge's condition sets, and its value there.
func edgeFact(s state, e *parse.Edge) (string, bool) {
	want := !e.Neg
	cond := assignedCond(e.Cond)
	// `av == NULL` tests what `!av` does, and `av != NULL` what `av` does:
	// one fact for both spellings, so that a lock returned with an object
	// is known not held on the path where the object is NULL
	if x, ok := strings.CutSuffix(cond, "==NULL"); ok && isPath(x) {
		cond, want = x, !want
	} else if x, ok := strings.CutSuffix(cond, "!=NULL"); ok && isPath(x) {
		cond = x
	} else if x, ok := strings.CutSuffix(cond, "==0"); ok && (isPath(x) || s.tests(x)) {
		cond, want = x, !want
	} else if x, ok := strings.CutSuffix(cond, "!=0"); ok && (isPath(x) || s.tests(x)) {
		cond = x
	} else if x, ok := strings.CutSuffix(cond, "<0"); ok && s.tests(x) {
		// `if (down_write_killable(&l) < 0)`: the call fails with a
		// negative error and succeeds with zero
		cond = x
	} else if i := strings.Index(cond, "==-"); i > 0 && want && s.tests(cond[:i]) && errorCode(cond[i+3:]) {
		// `if (error == -EDQUOT)`: where it holds, the value is not zero
		// (the other way it may still be anything)
		cond = cond[:i]
	}
	return cond, want
}

// askedBeforeLock tells whether every path of s knows the answer to call
// test cond, the same one, from a test made before a lock it holds now
// was taken by this function. (Where some paths hold no such lock, the
// question is asked again to undo what the first answer did: `if
// (need(f)) lock(f); ... if (need(f)) unlock(f);`.)
func (a *analysis) askedBeforeLock(s state, cond string) bool {
	if len(s) == 0 {
		return false
	}
	var first bool
	for i, p := range s {
		fe, ok := p.facts.entry(cond)
		if !ok || fe.at == 0 || i > 0 && fe.v != first {
			return false
		}
		first = fe.v
		later := false
		for _, v := range p.locks.all() {
			if v.b == bH && v.site.note == "" && v.site.pos.Line > int(fe.at) {
				later = true
				break
			}
		}
		if !later {
			return false
		}
	}
	return true
}

// errorCode tells whether text is an error number's name or digits, as
// after a minus sign.
func errorCode(text string) bool {
	if text == "" {
		return false
	}
	for _, c := range text {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// edge applies a branch: facts it establishes, paths it contradicts, and
// trylocks whose result it tests.
func (a *analysis) edge(s state, e *parse.Edge, from int) state {
	if e.Case != "" {
		return a.predCase(caseEdge(s, e), e)
	}
	if e.Cond == "" {
		return s
	}
	cond, want := edgeFact(s, e)
	var at uint32 // the line of a call the test makes
	stale := false
	if blk := a.fn.Blocks[from]; len(blk.Events) > 0 {
		if last := &blk.Events[len(blk.Events)-1]; last.Kind == parse.EvCall && last.Call != "" && strings.Contains(cond, last.Call) {
			at = uint32(last.Pos.Line)
			// check, lock, ..., check again: every path here took a
			// lock since it last asked, and asks anew (the edge sets the
			// fact over the old answer)
			stale = a.askedBeforeLock(s, cond)
		}
	}
	// out stays s itself while every partition passes unchanged
	out := s[:0:0]
	same := true
	for i, p := range s {
		if f, ok := p.facts.lookup(cond); ok && f != want && !e.Iter && !stale {
			if same {
				out, same = append(out, s[:i]...), false
			}
			continue // this path cannot take the edge
		}
		_, hasTry := p.tries[cond]
		if !hasTry && !a.relevantCond(cond, p) && !a.relevantCond(e.Cond, p) {
			if !same {
				out = append(out, p) // nothing to learn here; join copies on write
			}
			continue
		}
		if same {
			out, same = append(out, s[:i]...), false
		}
		q := p.clone()
		q.setFactAt(cond, want, at)
		if signClash(q, cond) {
			continue // `if (ret) ...; if (ret < 0) ...; if (ret > 0)`: no value is left
		}
		if parse.IsIdentifier(cond) {
			if obj, ok := q.vars.get(cond); ok && obj != cond && isPath(obj) {
				if nz, known := q.facts.lookup(obj); known && nz != want {
					continue // `__isp = isp` after `if (!isp) return`: __isp is not NULL either
				}
			}
		}
		if !want && parse.IsIdentifier(cond) {
			q.nullObject(cond)
		}
		q.decideTries(cond, want)
		out = append(out, q)
	}
	if same {
		return s
	}
	return out
}

// block runs the events of a block over each partition.
func (a *analysis) block(id int, s state) state {
	if s == nil {
		return nil
	}
	b := a.fn.Blocks[id]
	if len(b.Events) == 0 && len(a.loopCalls[id]) == 0 {
		if a.rep && len(a.c.reads) > 0 {
			a.checkCondReads(s, b)
		}
		return s // nothing happens here: the state passes on as it is
	}
	// the block works on copies in scratch storage; a copy it wrote to
	// moves to the heap at the end, one it left alone is dropped for the
	// partition it copied (most blocks change few partitions, many none)
	if cap(a.scratch) < len(s) {
		a.scratch = make([]partition, len(s))
		a.scratchS = make(state, len(s))
	}
	buf, out := a.scratch[:len(s)], a.scratchS[:len(s)]
	for i, p := range s {
		out[i] = p.cloneInto(&buf[i])
	}
	if calls := a.loopCalls[id]; len(calls) > 0 {
		// into a loop, or round again: what its calls answered before
		// (`if (kctl->info(kctl, uinfo)) return` ahead of a loop that asks
		// kctl->info() once per item) is asked anew
		for _, p := range out {
			if slices.ContainsFunc(p.facts, func(fe factEntry) bool { return strings.IndexByte(fe.f, '(') >= 0 }) {
				p.retainFacts(func(f string, _ bool) bool {
					for _, c := range calls {
						if strings.Contains(f, c) {
							return false
						}
					}
					return true
				})
			}
		}
	}
	var lastCall *parse.Event
	for i := range b.Events {
		e := &b.Events[i]
		if a.rep && debugFn != "" && debugFn == a.fn.Name {
			debugState(id, e, out)
		}
		if a.rep && len(a.c.reads) > 0 {
			a.checkReads(out, e)
		}
		switch e.Kind {
		case parse.EvCall, parse.EvScopeEnd:
			if e.Kind == parse.EvCall {
				a.addressed(out, e)
				assertedTry(out, e)
			}
			a.call(out, e)
			lastCall = e
			continue
		case parse.EvWrite:
			a.write(out, e, lastCall)
		case parse.EvAssign:
			a.assign(out, e, lastCall)
		case parse.EvUpdate:
			// `n++`, `flags |= F`: what was known of its value is gone
			for _, p := range out {
				if len(p.facts) > 0 {
					p.retainFacts(func(f string, _ bool) bool { return !mentions(f, e.Var) })
				}
			}
		case parse.EvReturn:
			if a.rep {
				a.recordReturn(out, e)
				a.probeExit(out, e)
			}
		case parse.EvGoto:
			a.probeExit(out, e)
			a.gotoRetake(out, e, b)
		}
		lastCall = nil
	}
	if n := len(b.Events); n > 0 && b.Events[n-1].Kind == parse.EvCall && a.takes(&b.Events[n-1]) {
		// check, lock, check again: what was tested before the lock is
		// tested anew under it, and may have changed in between
		for i := range b.Succs {
			if b.Succs[i].Cond == "" || b.Succs[i].Case != "" {
				continue
			}
			c, _ := edgeFact(out, &b.Succs[i])
			for _, p := range out {
				if _, ok := p.facts.lookup(c); ok {
					p.retainFacts(func(f string, _ bool) bool { return f != c })
				}
			}
		}
	}
	if a.rep && len(a.c.reads) > 0 {
		a.checkCondReads(out, b)
	}
	return keepWritten(s, out)
}

// keepWritten is the state a block made: out holds its copies of s's
// partitions in scratch storage; those it wrote to move to the heap, the
// others are s's own again (and s itself when it wrote to none).
func keepWritten(s, out state) state {
	n := 0
	for _, q := range out {
		if q.own != 0 {
			n++
		}
	}
	if n == 0 {
		return s
	}
	res := make(state, len(out))
	heap := make([]partition, n)
	for i, q := range out {
		if q.own == 0 {
			res[i] = s[i]
			continue
		}
		n--
		heap[n] = *q
		res[i] = &heap[n]
	}
	return res
}

// takes tells whether a call takes a lock itself (not a trylock).
func (a *analysis) takes(e *parse.Event) bool {
	for _, op := range a.ops(e) {
		if op.kind == opAcquire {
			return true
		}
	}
	return false
}

func (a *analysis) assign(s state, e *parse.Event, lastCall *parse.Event) {
	v := e.Var
	if walksLockedObject(s, e) {
		return
	}
	defer undoBy(s, e)
	if !a.rel[v] {
		lit, isLit := literalTruth(e.Value.Norm)
		for _, p := range s {
			p.invalidate(v, e.Value.Norm)
			if a.retVars[v] {
				a.returnedValueFacts(p, v, e.Value.Norm, lastCall)
			} else if isLit && a.flags[v] {
				p.setFact(v, lit)
			}
		}
		return
	}
	val := e.Value.Norm
	called := lastCall != nil && lastCall.Result == v
	// a value that is neither a call's result nor a path is a new object
	// each time this runs (`zone = &zones[i]`, an iterator's cursor)
	fresh := ""
	if !called && !isPath(val) && !constIndexed(val) {
		fresh = "@" + strconv.Itoa(int(e.Off))
		if a.rep {
			a.lostInLoop(s, e, v, fresh)
		}
	}
	for _, p := range s {
		var obj string
		factOf := val // what the variable now tests like
		switch {
		case called:
			if alias, ok := aliasArg(lastCall); ok {
				obj = p.resolve(alias)
				factOf = alias
			} else if accessor(lastCall.Callee, len(lastCall.Args)) && isPath(strings.TrimPrefix(lastCall.Args[0].Norm, "&")) {
				// `sbi = EXT4_SB(inode->i_sb)`: named by the access, so that
				// `&sbi->s_fc_lock` and `&EXT4_SB(inode->i_sb)->s_fc_lock`
				// are one lock
				obj = lastCall.Callee + "(" + p.resolve(lastCall.Args[0].Norm) + ")"
			} else {
				obj = resultObject(lastCall)
				if len(a.origin[obj]) == 0 {
					a.origin[obj] = []string{lastCall.Callee}
				}
			}
		case fresh != "":
			obj = fresh
			p.forget(obj)
		default:
			// a path (`t_lock = dev->queues->queue[HostNormCmdQueue].lock`
			// names one lock each time it runs)
			obj = p.resolve(val)
		}
		fact, known := p.facts.lookup(factOf)
		p.invalidate(v, val)
		p.setVar(v, obj)
		// the variable now tests like its value: `anon_vma = vma->anon_vma`
		// after `if (vma->anon_vma)`, `folio = page_folio(page)`, or
		// `anon_vma = NULL`
		switch {
		case known && isPath(factOf):
			p.setFact(v, fact)
		case val == "NULL" || val == "0" || val == "false":
			p.setFact(v, false)
		case val == "1" || val == "true":
			p.setFact(v, true)
		case a.retVars[v]:
			a.returnedValueFacts(p, v, val, lastCall)
		case a.zeroResult(v, lastCall):
			p.setFact(v, false)
		}
	}
}

// undoBy ties the acquire-nonnull calls that assignment e stores the
// result of to its variable, where the call sits inside the value
// (`pte = (mm == &init_mm) ? pte_offset_kernel(pmd, addr) :
// pte_offset_map_lock(mm, pmd, addr, &ptl)`): a NULL test of the
// variable then says the lock was not taken.
func undoBy(s state, e *parse.Event) {
	if e.Var == "" {
		return
	}
	for _, p := range s {
		for c, ts := range p.tries {
			for _, t := range ts {
				if t.undo && c == t.call && c != e.Value.Norm && strings.Contains(e.Value.Norm, c) {
					p.addTry(e.Var, t)
				}
			}
		}
	}
}

// addressed drops what was known of a local handed to a call by address
// (`list_splice_init(&cur->list, &dirty)` ends `list_empty(&dirty)`); the
// same test asked again (`list_empty(&dirty)`) keeps its answer, and so
// does a lock operation, which changes the lock and nothing else, or a
// helper with a lock effect.
func (a *analysis) addressed(s state, e *parse.Event) {
	for _, arg := range e.Args {
		v, ok := addressOf(arg)
		if !ok {
			continue
		}
		if len(a.ops(e)) > 0 {
			return
		}
		if callee := a.c.lookup(e.Callee, a.fi.file); callee != nil && callee.sum != nil && callee.sum.effective() {
			// (a helper that drops the lock and says so through the
			// variable, `*dropped = 1`: what the variable says next is
			// tied to the lock in a way not followed; the old fact is
			// the closer guess)
			return
		}
		for _, p := range s {
			if len(p.facts) > 0 {
				p.retainFacts(func(f string, _ bool) bool { return !mentions(f, v) || strings.Contains(f, e.Call) })
			}
		}
	}
}

// addressOf gives the plain variable an argument passes by address
// (`&dirty`). The argument's text is read: its normal form drops the `&`.
func addressOf(arg parse.Expr) (string, bool) {
	v, ok := strings.CutPrefix(strings.TrimSpace(arg.Text), "&")
	v = strings.TrimSpace(v)
	return v, ok && parse.IsIdentifier(v)
}

// caseEdge keeps the paths that can take a switch's case edge: not one
// that found the switched value equal to another constant before
// (`if (op == EPOLL_CTL_ADD) ...; switch (op) { case EPOLL_CTL_DEL:`), or
// unequal to this one.
func caseEdge(s state, e *parse.Edge) state {
	c := e.Case
	if !parse.IsIdentifier(e.Cond) || !constant(c) || strings.ContainsAny(c, " .,") {
		return s // (not a single constant: `1 ... 3`, `A, B`, default)
	}
	prefix := e.Cond + "=="
	return s.filter(func(p *partition) bool {
		for _, f := range p.facts {
			if k, ok := strings.CutPrefix(f.f, prefix); ok && constant(k) {
				if f.v && k != c || !f.v && k == c {
					return false
				}
			}
		}
		return true
	})
}

// filter is s without the partitions keep refuses; s itself when it
// keeps them all.
func (s state) filter(keep func(*partition) bool) state {
	var out state
	for i, p := range s {
		ok := keep(p)
		if !ok && out == nil {
			out = append(state{}, s[:i]...)
		} else if out != nil && ok {
			out = append(out, p)
		}
	}
	if out == nil {
		return s
	}
	return out
}

// constant tells whether s is written like a constant: a macro or enum
// name, or a number.
func constant(s string) bool {
	return macroName(s) || s != "" && s[0] >= '0' && s[0] <= '9'
}

// signClash tells whether what p knows of the variable cond tests (`ret`,
// `ret<0`, `ret>0`) leaves it no value: not zero, yet neither below nor
// above it; or zero and signed.
func signClash(p *partition, cond string) bool {
	v := strings.TrimSuffix(strings.TrimSuffix(cond, "<0"), ">0")
	if !parse.IsIdentifier(v) {
		return false
	}
	nz, okNZ := p.facts.lookup(v)
	neg, okNeg := p.facts.lookup(v + "<0")
	pos, okPos := p.facts.lookup(v + ">0")
	switch {
	case okNZ && nz:
		return okNeg && !neg && okPos && !pos
	case okNZ:
		return okNeg && neg || okPos && pos
	}
	return false
}

// literalTruth tells how a constant stored in a flag tests.
func literalTruth(v string) (truth, ok bool) {
	switch v {
	case "0", "false", "NULL":
		return false, true
	case "1", "true":
		return true, true
	}
	return false, false
}

// lostInLoop reports a lock this function took on the object a loop's
// variable named on its last pass, still held when the loop sets the
// variable to its next object, while other passes come round with it
// released: the path that kept it (`continue` without the unlock) leaves
// it held for good, with no name left to release it by. A loop that
// takes every object's lock and keeps them (to release them in a second
// loop) comes round with them held on every path and is not reported.
func (a *analysis) lostInLoop(s state, e *parse.Event, v, obj string) {
	held := map[key]bool{}
	released := map[key]bool{}
	for _, p := range s {
		named := p.resolve(v) == obj // (not a stale state a merge left behind)
		for k, l := range p.locks.all() {
			if !within(k.inst, obj) || k.inst == obj {
				// (a lock that is the object itself, lock_page(page) or
				// lock_buffer(bh), is often handed off with it: to
				// ->writepage(), to submit_bh())
				continue
			}
			if l.b&bH != 0 && named && a.direct[k] && a.acquired[k] && !a.sema[k] {
				held[k] = true
			}
			if l.b&bN != 0 {
				released[k] = true
			}
		}
	}
	for _, k := range sortedKeys(held) {
		if !released[k] {
			continue
		}
		a.finding("lock-balance", a.c.sev["lock-balance"], e,
			fmt.Sprintf("%s (%s) is still held when the loop moves %s to its next object; it is released on the other passes, so the path that kept it never releases it",
				a.displayInst(k), k.class, v),
			a.takenAt(k, ", on the previous pass")...)
	}
}

// walksLockedObject tells whether an iterator's first argument, which
// the front end reads as its cursor, is rather the object walked: a local
// whose object has a lock held (`wl12xx_for_each_wlvif(wl, wlvif)` under
// `mutex_lock(&wl->mutex)`). A cursor is not locked before its loop sets it.
func walksLockedObject(s state, e *parse.Event) bool {
	name, args, ok := strings.Cut(e.Value.Norm, "(")
	if !ok || !strings.Contains(name, "for_each") || !strings.HasPrefix(args, e.Var+",") {
		return false
	}
	for _, p := range s {
		obj := p.resolve(e.Var)
		for k, l := range p.locks.all() {
			if l.b&bH != 0 && fieldOf(k.inst, obj) {
				return true
			}
		}
	}
	return false
}

// returnedValueFacts sets what an assignment says of a variable some
// return gives back: `dentry = ERR_PTR(error)` makes `return dentry` an
// error, as `return dentry` after IS_ERR(dentry) is; `r = -ENOMEM; goto
// out;` and `err = PTR_ERR(page)` join `if (r) goto out;` there; `ret =
// gx_powerup(info)`, where gx_powerup() returns only 0, is 0.
func (a *analysis) returnedValueFacts(p *partition, v, val string, lastCall *parse.Event) {
	switch {
	case strings.HasPrefix(val, "ERR_PTR("):
		p.setFact("IS_ERR("+v+")", true)
	case errorConstant(val) || strings.HasPrefix(val, "PTR_ERR("):
		p.setFact(v, true)
	case a.zeroResult(v, lastCall), val == "0":
		p.setFact(v, false)
	}
}

// zeroResult tells whether v was just set by a call to a function that
// returns only 0.
func (a *analysis) zeroResult(v string, lastCall *parse.Event) bool {
	return lastCall != nil && lastCall.Result == v && a.returnsZero(lastCall)
}

// returnsOnlyZero tells whether every return of fn gives a literal 0.
func returnsOnlyZero(fn *parse.Function) bool {
	n := 0
	for _, b := range fn.Blocks {
		for i := range b.Events {
			if e := &b.Events[i]; e.Kind == parse.EvReturn {
				if e.Value.Norm != "0" {
					return false
				}
				n++
			}
		}
	}
	return n > 0
}

// returnsZero tells whether a call's callee, analyzed, returns only 0.
func (a *analysis) returnsZero(e *parse.Event) bool {
	callee := a.c.lookup(e.Callee, a.fi.file)
	return callee != nil && callee.sum != nil && callee.sum.alwaysZero
}

// constIndexed tells whether a value is a path whose indexes are all
// constants (a number, an enum or macro name: `q[HostNormCmdQueue].lock`).
func constIndexed(v string) bool {
	if !strings.ContainsRune(v, '[') {
		return false
	}
	var b strings.Builder
	for rest := v; ; {
		i := strings.IndexByte(rest, '[')
		if i < 0 {
			b.WriteString(rest)
			break
		}
		j := strings.IndexByte(rest[i:], ']')
		if j < 0 {
			return false
		}
		idx := rest[i+1 : i+j]
		if idx == "" || !(idx[0] >= '0' && idx[0] <= '9' || idx[0] >= 'A' && idx[0] <= 'Z') || !parse.IsIdentifier(idx) && strings.Trim(idx, "0123456789") != "" {
			return false
		}
		b.WriteString(rest[:i])
		rest = rest[i+j+1:]
	}
	return isPath(b.String())
}

// errorConstant tells whether a value is a negative error code as
// written: `-ENOMEM`, `-EINVAL`.
func errorConstant(v string) bool {
	c, ok := strings.CutPrefix(v, "-")
	return ok && len(c) > 1 && c[0] == 'E' && macroName(c)
}

// macroName tells whether s is written like a macro or an enum constant:
// an identifier in capitals (`VM_FAULT_LOCKED`, `EXT4_SB`).
func macroName(s string) bool {
	return parse.IsIdentifier(s) && strings.IndexFunc(s, unicode.IsLower) < 0 && strings.IndexFunc(s, unicode.IsUpper) >= 0
}

// allocators return new objects, which nobody else can have locked.
var allocators = map[string]bool{
	"kmalloc": true, "kzalloc": true, "kcalloc": true, "kmalloc_array": true, "kmem_cache_alloc": true,
	"kmem_cache_zalloc": true, "kmem_cache_alloc_node": true, "vm_area_alloc": true, "vm_area_dup": true,
	"alloc_page": true, "alloc_pages": true, "alloc_page_vma": true, "folio_alloc": true, "vma_alloc_folio": true,
	"__page_cache_alloc": true, "filemap_alloc_folio": true, "vmalloc": true, "vzalloc": true, "kvmalloc": true,
	"kvzalloc": true,
}

// resultObject names the object a call returns: "@!<offset>" for an
// allocation (not locked by anyone yet), "@<offset>" for anything else (a
// caller may hold a lock on what a lookup returns).
func resultObject(e *parse.Event) string {
	if allocators[e.Callee] {
		return "@!" + strconv.Itoa(int(e.Off))
	}
	return "@" + strconv.Itoa(int(e.Off))
}

// aliasCalls return (a view of) their argument: the same object.
var aliasCalls = map[string]bool{"page_folio": true, "folio_page": true, "compound_head": true}

func aliasArg(e *parse.Event) (string, bool) {
	if aliasCalls[e.Callee] && len(e.Args) > 0 && isPath(e.Args[0].Norm) {
		return e.Args[0].Norm, true
	}
	return "", false
}

// isPath tells whether s is a variable or a chain of field accesses.
func isPath(s string) bool {
	if s == "" || !(s[0] == '_' || s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isIdentByte(c):
		case c == '.':
		case c == '-' && i+1 < len(s) && s[i+1] == '>':
			i++
		default:
			return false
		}
	}
	return true
}

// relevantVars finds the variables whose objects matter: the roots of
// lock instances, of arguments to functions with lock effects, of guarded
// writes and of rule calls, the results of lookups a rule follows, and
// every variable assigned to or from one of those. The dataflow tracks
// only these, and only branch facts that mention them.
func (a *analysis) relevantVars() {
	rel := map[string]bool{}
	add := func(expr string) {
		if r := rootIdent(expr); r != "" {
			rel[r] = true
		}
	}
	type pair struct{ v, from string }
	var assigns []pair
	lockBlock := make([]bool, len(a.fn.Blocks))
	opBlock := make([]bool, len(a.fn.Blocks)) // with a lock operation of its own
	litOnly := map[string]bool{}              // variables only ever set to a constant
	paired := map[string]bool{}               // set to a constant after a lock operation in its block
	for _, b := range a.fn.Blocks {
		var last *parse.Event
		sawOp := false
		for i := range b.Events {
			e := &b.Events[i]
			switch e.Kind {
			case parse.EvCall, parse.EvScopeEnd:
				for _, arg := range e.Args {
					if v, ok := addressOf(arg); ok {
						litOnly[v] = false // the callee may store to it
					}
				}
				ops := a.ops(e)
				if len(ops) > 0 || e.Kind == parse.EvScopeEnd {
					lockBlock[b.ID] = true
				}
				if len(ops) > 0 {
					opBlock[b.ID] = true
					sawOp = true
				}
				for _, op := range ops {
					add(op.inst)
					if op.result && e.Result != "" {
						rel[e.Result] = true
					}
				}
				if len(ops) > 0 || e.Kind == parse.EvScopeEnd {
					for _, arg := range e.Args {
						add(arg.Norm)
					}
				}
				if callee := a.c.lookup(e.Callee, a.fi.file); callee != nil && callee.sum != nil && callee.sum.effective() {
					lockBlock[b.ID] = true
					for _, arg := range e.Args {
						add(arg.Norm)
					}
					if e.Result != "" {
						rel[e.Result] = true
					}
				}
				if a.c.ruleCallee(e.Callee) { // (no rule names most callees)
					for _, r := range a.c.active {
						if matchAny(r.Calls, e) || matchAny(r.Publish, e) || matchAny(r.First, e) {
							for _, arg := range e.Args {
								add(arg.Norm)
							}
						}
						if e.Result != "" && (matchAny(r.InstanceFrom, e) || matchAny(r.Fresh, e)) {
							rel[e.Result] = true
						}
					}
				}
				last = e
				continue
			case parse.EvWrite:
				add(e.LHS.Norm)
			case parse.EvUpdate:
				litOnly[e.Var] = false
			case parse.EvAssign:
				_, lit := literalTruth(e.Value.Norm)
				if lit && (last == nil || last.Result != e.Var) || a.tryResult(last, e.Var) {
					// (a trylock's result is a truth value too: `locked =
					// spin_trylock(...)` on one path, `locked = 1` after a
					// plain lock on the other)
					if _, seen := litOnly[e.Var]; !seen {
						litOnly[e.Var] = true
					}
				} else {
					litOnly[e.Var] = false
				}
				if lit && sawOp {
					paired[e.Var] = true
				}
				from := e.Value.Norm
				if last != nil && last.Result == e.Var {
					if alias, ok := aliasArg(last); ok {
						from = alias
					} else {
						from = ""
					}
				}
				if from != "" && isPath(from) {
					assigns = append(assigns, pair{e.Var, rootIdent(from)})
				}
			}
			last = nil
		}
	}
	// a branch that decides whether a lock operation runs is worth
	// remembering, whatever it tests (`if (locked) unlock(...)`); so is
	// one that tests a variable some return gives back (`if (ret)` makes
	// the `return ret` after it an error, which decides whether a lock
	// held there is a leak or the success of a conditional-acquire API)
	retVars := map[string]bool{}
	a.retVars = retVars
	for _, b := range a.fn.Blocks {
		for i := range b.Events {
			if e := &b.Events[i]; e.Kind == parse.EvReturn && e.Value.Norm != "" {
				v := e.Value.Norm
				if inner, ok := strings.CutPrefix(v, "PTR_ERR("); ok {
					v = strings.TrimSuffix(inner, ")")
				}
				if parse.IsIdentifier(v) {
					retVars[v] = true
				}
			}
		}
	}
	anyLock := slices.Contains(opBlock, true)
	deciders := map[string]bool{} // `if (odp_locked) mutex_unlock(...)`
	for _, b := range a.fn.Blocks {
		for _, e := range b.Succs {
			if e.Cond == "" {
				continue
			}
			if lockBlock[e.To] {
				a.condRel[e.Cond] = true
				if c := strings.TrimPrefix(e.Cond, "!"); parse.IsIdentifier(c) && opBlock[e.To] && a.onlyPred(e.To) {
					// (the branch's own block, not the join after it)
					deciders[c] = true
				}
				continue
			}
			if c := strings.TrimPrefix(e.Cond, "!"); litOnly[c] {
				a.condRel[e.Cond] = true
				continue
			}
			if c := strings.TrimPrefix(e.Cond, "!"); anyLock && a.flagParam(c, litOnly) && reaches(a.fn, b.ID, b.ID) {
				// a scalar parameter the function never changes says the
				// same each time round a loop (`if (!can_unsync) return`
				// ahead of the lock the first pass takes)
				a.condRel[e.Cond] = true
				continue
			}
			for v := range retVars {
				if mentions(e.Cond, v) {
					a.condRel[e.Cond] = true
					break
				}
			}
		}
	}
	for v, only := range litOnly {
		// a variable that decides whether a lock operation runs, and is
		// set to a constant next to one, is a flag whatever else is
		// stored to it (`odp_locked = is_odp` first, `mutex_unlock(...);
		// odp_locked = false;` later)
		if (only || deciders[v] && paired[v]) && !rel[v] {
			if a.flags == nil {
				a.flags = map[string]bool{}
			}
			a.flags[v] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for _, as := range assigns {
			if rel[as.v] != rel[as.from] {
				rel[as.v], rel[as.from] = true, true
				changed = true
			}
		}
	}
	a.rel = rel
}

// assertedTry reads `BUG_ON(!mutex_trylock(&pcl->lock))` (also
// DBG_BUGON, VM_BUG_ON): past the assertion, the trylock succeeded.
func assertedTry(s state, e *parse.Event) {
	if len(e.Args) != 1 || !strings.Contains(e.Callee, "BUG") {
		return
	}
	c, ok := strings.CutPrefix(e.Args[0].Norm, "!")
	if !ok {
		return
	}
	for _, p := range s {
		p.decideTries(c, true)
	}
}

// predecessors are the blocks each block is entered from (predsOf),
// made once per analysis when first asked.
func (a *analysis) predecessors() [][]int {
	if a.preds == nil {
		a.preds = predsOf(a.fn)
	}
	return a.preds
}

// onlyPred tells whether block b has one way in.
func (a *analysis) onlyPred(b int) bool { return len(a.predecessors()[b]) == 1 }

// flagParam tells whether c is a scalar parameter that the function
// never assigns (assigned holds every variable it stores to).
func (a *analysis) flagParam(c string, assigned map[string]bool) bool {
	if _, set := assigned[c]; set || !parse.IsIdentifier(c) {
		return false
	}
	for _, p := range a.fn.Params {
		if p.Name == c {
			return p.Pointer == 0
		}
	}
	return false
}

// tryResult tells whether call's result, kept in v, is a trylock's.
func (a *analysis) tryResult(call *parse.Event, v string) bool {
	if call == nil || call.Result != v {
		return false
	}
	for _, op := range a.ops(call) {
		if op.kind == opTry || op.kind == opTryZero {
			return true
		}
	}
	return false
}

// relevantCond tells whether a branch condition is worth remembering.
func (a *analysis) relevantCond(c string, p *partition) bool {
	if len(p.facts) > 0 {
		if _, known := p.facts.lookup(c); known {
			return true // a condition tested before
		}
	}
	if v, ok := a.condRel[c]; ok {
		return v || len(p.tries[c]) > 0
	}
	v := false
	for r := range a.rel {
		if mentions(c, r) {
			v = true
			break
		}
	}
	a.condRel[c] = v
	return v || len(p.tries[c]) > 0
}

// noteLoopCalls records the calls of the loop that the back edge from
// tail to head closes (the blocks that reach tail without passing head)
// that each round may answer otherwise: those of the head, the loop's
// test (`while (atomic_read(&r))`), and those given memory the loop
// stores to (`uinfo->item = i; if (kctl->info(kctl, uinfo))`).
func (a *analysis) noteLoopCalls(head, tail int, preds [][]int) {
	note := func(e *parse.Event) {
		if e.Kind == parse.EvCall && e.Call != "" && !slices.Contains(a.loopCalls[head], e.Call) {
			if a.loopCalls == nil {
				a.loopCalls = map[int][]string{}
			}
			a.loopCalls[head] = append(a.loopCalls[head], e.Call)
		}
	}
	for i := range a.fn.Blocks[head].Events {
		note(&a.fn.Blocks[head].Events[i])
	}
	defer func() { slices.Sort(a.loopCalls[head]) }()
	inBody := make([]bool, len(a.fn.Blocks))
	inBody[head] = true
	var body []int
	body = append(body, head)
	work := []int{tail}
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		if b < 0 || b >= len(inBody) || inBody[b] {
			continue
		}
		inBody[b] = true
		body = append(body, b)
		work = append(work, preds[b]...)
	}
	// the memory the loop stores to, through which variables
	var written map[string]bool
	for _, id := range body {
		for i := range a.fn.Blocks[id].Events {
			if e := &a.fn.Blocks[id].Events[i]; e.Kind == parse.EvWrite && e.Base != "" {
				if written == nil {
					written = map[string]bool{}
				}
				written[e.Base] = true
			}
		}
	}
	if len(written) == 0 {
		return
	}
	asksWritten := func(e *parse.Event) bool {
		for _, arg := range e.Args {
			if r := rootIdent(arg.Norm); r != "" && written[r] {
				return true
			}
		}
		return false
	}
	for _, id := range body {
		for i := range a.fn.Blocks[id].Events {
			if e := &a.fn.Blocks[id].Events[i]; asksWritten(e) {
				note(e)
			}
		}
	}
}

// predsOf lists each block's predecessors, by block ID (one backing
// array for all).
func predsOf(fn *parse.Function) [][]int {
	n := make([]int, len(fn.Blocks))
	total := 0
	for _, b := range fn.Blocks {
		for _, s := range b.Succs {
			if s.To >= 0 && s.To < len(n) {
				n[s.To]++
				total++
			}
		}
	}
	all := make([]int, 0, total)
	preds := make([][]int, len(fn.Blocks))
	for i := range preds {
		preds[i] = all[len(all) : len(all) : len(all)+n[i]]
		all = all[:len(all)+n[i]]
	}
	for _, b := range fn.Blocks {
		for _, s := range b.Succs {
			if s.To >= 0 && s.To < len(n) {
				preds[s.To] = append(preds[s.To], b.ID)
			}
		}
	}
	return preds
}

// prescan finds, for guarded rules, where objects are published, and
// where variables are assigned; and computes anticipated acquisitions.
func (a *analysis) prescan() {
	a.loopCalls, a.preds, a.related = nil, nil, nil
	a.relevantVars()
	for _, b := range a.fn.Blocks {
		for _, e := range b.Succs {
			if e.Back && e.To >= 0 && e.To < len(a.fn.Blocks) {
				a.noteLoopCalls(e.To, b.ID, a.predecessors())
			}
		}
	}
	a.publishLater = map[*rules.Rule]map[string][]uint32{}
	a.assigns = map[string][]uint32{}
	var predCands []*parse.Event // (see findCasePreds)
	var updated map[string]bool
	for _, b := range a.fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			switch e.Kind {
			case parse.EvUpdate:
				if updated == nil {
					updated = map[string]bool{}
				}
				updated[e.Var] = true
			case parse.EvAssign:
				a.assigns[e.Var] = append(a.assigns[e.Var], e.Off)
				if _, _, ok := singleArgCall(e.Value.Norm); ok {
					predCands = append(predCands, e)
				}
			case parse.EvCall:
				if !a.c.ruleCallee(e.Callee) {
					continue
				}
				for _, r := range a.c.active {
					if r.Kind != rules.KindGuarded {
						continue
					}
					for k := range r.Publish {
						if bnd, ok := r.Publish[k].Match(e.Callee, e.Args); ok {
							if v := r.Publish[k].First(bnd); v != "" {
								if a.publishLater[r] == nil {
									a.publishLater[r] = map[string][]uint32{}
								}
								a.publishLater[r][v] = append(a.publishLater[r][v], e.Off)
							}
						}
					}
				}
			}
		}
	}
	a.casePreds = a.findCasePreds(predCands, updated)
}

// willPublish tells whether the object var holds at offset off is handed
// to a publish call of r later in the function, with no assignment to var
// in between: such an object is off the list until then.
func (a *analysis) willPublish(r *rules.Rule, v string, off uint32) bool {
	for _, at := range a.publishLater[r][v] {
		if at <= off {
			continue
		}
		reassigned := false
		for _, as := range a.assigns[v] {
			if as > off && as < at {
				reassigned = true
			}
		}
		if !reassigned {
			return true
		}
	}
	return false
}

// anticipated tells whether, from event index i of block b on, some path
// takes a lock of class (blocking) before releasing one or returning. If
// the lock were held here, that path would deadlock on it: so it is not.
func (a *analysis) anticipated(class string, b, i int) bool {
	ant, ok := a.ant[class]
	if !ok {
		ant = a.computeAnt(class)
		a.ant[class] = ant
	}
	blk := a.fn.Blocks[b]
	for j := i; j < len(blk.Events); j++ {
		switch a.classEffect(&blk.Events[j], class) {
		case 1:
			return true
		case -1:
			return false
		}
	}
	return a.blockOutAnt(ant, b)
}

func (a *analysis) blockOutAnt(ant []bool, b int) bool {
	for _, e := range a.fn.Blocks[b].Succs {
		if ant[e.To] {
			return true
		}
	}
	return false
}

// computeAnt solves the backward may-analysis: ant[b] is true when some
// path from the start of b acquires class before releasing it or leaving.
func (a *analysis) computeAnt(class string) []bool {
	nb := len(a.fn.Blocks)
	ant := make([]bool, nb)
	for changed := true; changed; {
		changed = false
		for b := nb - 1; b >= 0; b-- {
			v := a.blockOutAnt(ant, b)
			evs := a.fn.Blocks[b].Events
			for j := len(evs) - 1; j >= 0; j-- {
				switch a.classEffect(&evs[j], class) {
				case 1:
					v = true
				case -1:
					v = false
				}
			}
			if v != ant[b] {
				ant[b] = v
				changed = true
			}
		}
	}
	return ant
}

// classEffect is 1 when e blocks to acquire class, -1 when it releases it
// or leaves the function, 0 otherwise.
func (a *analysis) classEffect(e *parse.Event, class string) int {
	switch e.Kind {
	case parse.EvReturn:
		return -1
	case parse.EvCall, parse.EvScopeEnd:
		if e.Callee == HavocCallee {
			return -1
		}
		for _, op := range a.ops(e) {
			if op.class != class {
				continue
			}
			switch op.kind {
			case opAcquire:
				if !op.read {
					return 1
				}
			case opRelease:
				return -1
			}
		}
	}
	return 0
}

// status summarizes, over partitions, whether one of classes is held (on
// inst, if set): held on every path, on some, on none, or unknown.
type status struct {
	held, some, not, unknown bool
	site                     site
}

func (a *analysis) classStatus(s state, classes []string, inst func(p *partition) (string, bool)) status {
	var st status
	for _, p := range s {
		pb := bits(0)
		found := false
		for k, v := range p.locks.all() {
			if !contains(classes, k.class) {
				continue
			}
			if inst != nil {
				want, ok := inst(p)
				if !ok || k.inst != want {
					continue
				}
			}
			found = true
			if v.b == bH {
				pb = bH
				st.site = v.site
				break
			}
			pb |= v.b
		}
		if !found && inst != nil {
			// an instance made here, or a caller's
			if want, ok := inst(p); ok {
				pb = p.get(key{class: classes[0], inst: want}).b
			} else {
				pb = bU
			}
		} else if !found {
			pb = bU
		}
		switch {
		case pb == bH:
			st.held = true
		case pb&bH != 0:
			st.some = true
		case pb&bU != 0:
			st.unknown = true
		default:
			st.not = true
		}
	}
	return st
}

// verdict turns a status into a severity: error when held on no path,
// warning when held on some only, "" when fine or unknown.
func verdict(st status, sev rules.Severity) rules.Severity {
	switch {
	case st.not && !st.held && !st.some && !st.unknown:
		return sev
	case st.not:
		return rules.Warning
	}
	return ""
}

// finding builds a finding at event e.
func (a *analysis) finding(rule string, sev rules.Severity, e *parse.Event, msg string, trace ...Note) {
	if !a.rep || sev == "" {
		return
	}
	a.c.report(Finding{Rule: rule, Severity: sev, Message: msg, File: a.fn.File, Line: e.Pos.Line, Column: e.Pos.Col,
		Function: a.fn.Name, Trace: trace})
}

func (a *analysis) note(s site, format string, args ...any) Note {
	return Note{File: a.fn.File, Line: s.pos.Line, Note: fmt.Sprintf(format, args...)}
}

// expand fills a rule message's placeholders in one left-to-right pass:
// a value is never scanned again, so a value that itself looks like a
// placeholder (`{field}` in an expression's text) stays as written and the
// result does not depend on the order of vars.
func expand(msg string, vars map[string]string) string {
	if !strings.Contains(msg, "{") {
		return msg
	}
	var sb strings.Builder
	for {
		i := strings.IndexByte(msg, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(msg[i:], '}')
		if j < 0 {
			break
		}
		v, ok := vars[msg[i+1:i+j]]
		if !ok {
			// not a placeholder: keep the brace and go on after it
			sb.WriteString(msg[:i+1])
			msg = msg[i+1:]
			continue
		}
		sb.WriteString(msg[:i])
		sb.WriteString(v)
		msg = msg[i+j+1:]
	}
	sb.WriteString(msg)
	return sb.String()
}

// sortedKeys lists a map's lock instances in key order (sortKeys), for
// work whose output must not depend on map order.
func sortedKeys[V any](m map[key]V) []key {
	ks := make([]key, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sortKeys(ks)
	return ks
}

// sortKeys orders lock instances by class, then instance: a total order,
// since no two keys of a map are equal.
func sortKeys(ks []key) {
	sort.Slice(ks, func(i, j int) bool {
		if ks[i].class != ks[j].class {
			return ks[i].class < ks[j].class
		}
		return ks[i].inst < ks[j].inst
	})
}

// debugFn names a function whose states are printed to stderr during the
// reporting pass (LOCKLINT_DEBUG=function), for working on the engine.
var debugFn = os.Getenv("LOCKLINT_DEBUG")

func debugState(block int, e *parse.Event, s state) {
	fmt.Fprintf(os.Stderr, "b%d %s\n", block, parse.FormatEvent(e))
	for i, p := range s {
		var locks, vars []string
		for k, v := range p.locks.all() {
			locks = append(locks, fmt.Sprintf("%s/%s=%03b", k.class, k.inst, v.b))
		}
		for _, e := range p.vars {
			vars = append(vars, e.k+"="+e.v)
		}
		sort.Strings(locks)
		sort.Strings(vars)
		fmt.Fprintf(os.Stderr, "    p%d facts=%s locks=%v vars=%v\n", i, strings.ReplaceAll(p.factsKey(), "\x00", ","), locks, vars)
	}
}

// callText is a call as written, `name(args)`, built once per event.
func (a *analysis) callText(e *parse.Event) string {
	m := a.memoOf(e)
	if m != nil && m.has&memoText != 0 {
		return m.text
	}
	t := e.Callee + "(" + argText(e) + ")"
	if m != nil {
		m.text, m.has = t, m.has|memoText
	}
	return t
}
