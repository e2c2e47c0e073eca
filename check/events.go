package check

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

// call handles a call event: rule checks against the state before it,
// then its effect on locks, directly or through the callee's summary.
func (a *analysis) call(s state, e *parse.Event) {
	if e.Kind == parse.EvCall && e.Callee == HavocCallee {
		for _, p := range s {
			p.havoc()
		}
		a.assumeHeld(s) // only when probing a fragment (hunkproof.go)
		return
	}
	if e.Result != "" {
		// the object this call returns is a new one each time it runs
		if a.rep {
			a.lostInLoop(s, e, e.Result, resultObject(e))
		}
		for _, p := range s {
			p.renew(resultObject(e))
		}
	}
	if x := bitWord(e); x != "" {
		// set_bit(IS_ATR_VALID, &dev->flags): what an earlier test of
		// the word found no longer holds
		for _, p := range s {
			p.invalidate(x, "")
		}
	}
	ops := a.ops(e)
	if e.Kind == parse.EvCall && a.hasOutParam(e) {
		// `get_user_pages_locked(mm, ..., &locked)`: the callee may drop
		// the lock and say so through the variable. Other out parameters
		// (`mcp_read(mcp, REG, &val)`) leave the caller's locks alone.
		if len(ops) == 0 && !a.c.lockPredicate(e.Callee) {
			a.passIfLockFlag(s, e)
			a.outPointers(s, e)
		}
	}
	if a.rep && e.Kind == parse.EvCall {
		a.checkCall(s, e, ops)
	}
	for _, op := range ops {
		a.lockOp(s, e, op)
	}
	if e.Kind != parse.EvCall || len(ops) > 0 {
		return
	}
	for _, r := range a.c.active {
		switch {
		case r.Kind == rules.KindCallOrder && r.AppliesIn(a.fn.Name) && matchAny(r.First, e):
			for _, p := range s {
				p.setSeen(r.ID, bH)
			}
		case r.Kind == rules.KindGuarded:
			if b, pat, ok := matchFirst(r.Publish, e); ok {
				if v := pat.First(b); v != "" {
					for _, p := range s {
						p.setPublished(p.resolve(v))
					}
				}
			}
		}
	}
	if a.flagCall(s, e) {
		return // (the table, not the helper's body)
	}
	a.flagsGiven(s, e)
	if callee := a.c.lookup(e.Callee, a.fi.file); callee != nil && callee.sum != nil && (callee.sum.effective() || !a.c.lockishName(e.Callee)) {
		a.applySummary(s, e, callee)
	} else {
		// not seen, or a helper named for a lock whose body does nothing
		// the engine follows (`rw_unlock(w, b)` calls through a ternary)
		a.passUnknown(s, e)
	}
}

// passUnknown marks the held locks whose objects a call to an unanalyzed
// function receives, and notes the parameters this function hands to
// unknown code (its callers then treat those objects the same way).
func (a *analysis) passUnknown(s state, e *parse.Event) {
	if !a.passesLock(e) {
		// assumed to leave the caller's locks alone (see lockishName),
		// but for a lock it is handed itself
		a.passLockItself(s, e)
		return
	}
	a.markPassed(s, e, nil)
	if !a.rep || len(s) == 0 {
		return
	}
	for _, arg := range e.Args {
		if !isPath(arg.Norm) {
			continue
		}
		if param, _, ok := paramOf(a.fn, s[0].resolve(arg.Norm)); ok && param >= 0 && !containsInt(a.sum.passes, param) {
			a.sum.passes = append(a.sum.passes, param)
		}
	}
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// markPassed marks held locks on the objects of e's arguments (only those
// in which, if set) as passed to code that may release them.
func (a *analysis) markPassed(s state, e *parse.Event, which []int) {
	for _, p := range s {
		p.passHeld(func(k key) bool {
			for i, arg := range e.Args {
				if which != nil && !containsInt(which, i) {
					continue
				}
				o := p.resolve(arg.Norm)
				if strings.HasPrefix(arg.Text, "&") {
					// &x->refcount: the callee reaches x (container_of)
					if i := strings.LastIndex(o, "->"); i > 0 {
						o = o[:i]
					}
				}
				if isPath(arg.Norm) && within(k.inst, o) {
					return true
				}
			}
			return false
		})
	}
}

func matchAny(ps []rules.Pattern, e *parse.Event) bool {
	for i := range ps {
		if _, ok := ps[i].Match(e.Callee, e.Args); ok {
			return true
		}
	}
	return false
}

func matchFirst(ps []rules.Pattern, e *parse.Event) (rules.Bindings, *rules.Pattern, bool) {
	for i := range ps {
		if b, ok := ps[i].Match(e.Callee, e.Args); ok {
			return b, &ps[i], true
		}
	}
	return nil, nil, false
}

// heldSpin returns a spinlock held on every path, if any.
func (a *analysis) heldSpin(s state) (key, lockVal, bool) {
	var best key
	var bestV lockVal
	found := false
	for i, p := range s {
		pk, pv, ok := key{}, lockVal{}, false
		for k, v := range p.locks.all() {
			if v.b == bH && a.isSpin(k, v) && (!ok || pv.site.note != "" && v.site.note == "") {
				// the first one this function took itself, else the
				// first a callee took (a message names the former)
				pk, pv, ok = k, v, true
			}
		}
		if !ok {
			return key{}, lockVal{}, false
		}
		if i == 0 {
			best, bestV, found = pk, pv, true
		}
	}
	return best, bestV, found
}

// assertsNote is the site note of a lock an assertion says is held.
const assertsNote = " asserts it"

func (a *analysis) isSpin(k key, v lockVal) bool {
	if lc, ok := a.c.set.Locks[k.class]; ok {
		return lc.Spin
	}
	return v.spin || v.site.note == assertsNote && a.c.spinClass(a.fi.file, k.class)
}

// spinClass tells whether the functions of file take locks of class (a
// field of a type: a bare name may be a different lock in each
// function) with spinning primitives only: then an assertion that one is
// held (`lockdep_assert_held(&lock->wait_lock)`, which does not say what
// kind of lock it is) asserts a spinlock.
func (c *Checker) spinClass(file *parse.File, class string) bool {
	if c.spinClasses == nil {
		c.spinClasses = map[*parse.File]map[string]bool{}
	}
	spins, done := c.spinClasses[file]
	if !done {
		spins = map[string]bool{}
		c.spinClasses[file] = spins
		sleeps := map[string]bool{}
		for _, fi := range c.funcs {
			if fi.file != file {
				continue
			}
			ty := &typer{fn: fi.fn, structs: c.structs}
			for _, b := range fi.fn.Blocks {
				for i := range b.Events {
					e := &b.Events[i]
					if e.Kind != parse.EvCall || len(e.Args) == 0 {
						continue
					}
					op, ok := genericOps[e.Callee]
					if !ok || op.kind != opAcquire && op.kind != opTry && op.kind != opTryZero {
						continue
					}
					cl := genericClass(e.Args[0].Norm, ty.typeOf)
					if op.spin {
						spins[cl] = true
					} else {
						sleeps[cl] = true
					}
				}
			}
		}
		for cl := range spins {
			if sleeps[cl] || !strings.Contains(cl, ".") || strings.HasPrefix(cl, "?") {
				delete(spins, cl)
			}
		}
	}
	return spins[class]
}

// checkCall runs the rules that look at calls.
func (a *analysis) checkCall(s state, e *parse.Event, ops []lockOp) {
	a.checkSleep(s, e, ops)
	a.checkWait(s, e)
	if a.c.ruleCallee(e.Callee) { // (no rule names most calls)
		a.checkRules(s, e)
	}
	callee := a.c.lookup(e.Callee, a.fi.file)
	a.checkAsserted(s, e, callee)
	a.checkTakes(s, e, callee)
	// the callee's own unmet requirements
	if callee != nil && callee.sum != nil {
		for i := range callee.sum.needs {
			a.checkNeed(s, e, &callee.sum.needs[i])
		}
	}
}

// checkRules runs the active rules on call e.
func (a *analysis) checkRules(s state, e *parse.Event) {
	call := e.Callee + "()"
	for _, r := range a.c.active {
		if !r.AppliesIn(a.fn.Name) {
			continue
		}
		switch r.Kind {
		case rules.KindForbidCall:
			if matchAny(r.Calls, e) {
				a.finding(r.ID, r.Severity, e, expand(r.Message, map[string]string{"call": call}))
			}
		case rules.KindForbidUnder:
			if matchAny(r.Calls, e) {
				st := a.classStatus(s, r.Locks, nil)
				sev := rules.Severity("")
				if st.held && !st.some && !st.not && !st.unknown {
					sev = r.Severity
				} else if st.held || st.some {
					sev = rules.Warning
				}
				a.finding(r.ID, sev, e, expand(r.Message, map[string]string{"call": call}),
					a.note(st.site, "%s taken here", st.site.full()))
			}
		case rules.KindCallOrder:
			if matchAny(r.Calls, e) && !a.calleeCalls(e, r.First) {
				all, none := true, true
				for _, p := range s {
					if p.seenBits(r.ID) == bH {
						none = false
					} else {
						all = false
						if p.seenBits(r.ID)&bH != 0 {
							none = false
						}
					}
				}
				sev := rules.Severity("")
				if none {
					sev = r.Severity
				} else if !all {
					sev = rules.Warning
				}
				a.finding(r.ID, sev, e, expand(r.Message, map[string]string{"call": call}))
			}
		case rules.KindRequires:
			a.checkRequires(s, e, r, call)
		}
	}
}

// checkRequires handles a `requires` rule at a call.
func (a *analysis) checkRequires(s state, e *parse.Event, r *rules.Rule, call string) {
	bnd, pat, ok := matchFirst(r.Calls, e)
	if !ok {
		return
	}
	msg := expand(r.Message, map[string]string{"call": call})
	if len(r.InstanceFrom) > 0 {
		a.checkInstanceFrom(s, e, r, msg)
		return
	}
	var inst func(p *partition) (string, bool)
	bound := pat.First(bnd)
	if bound != "" {
		inst = func(p *partition) (string, bool) { return p.resolve(bound), true }
	}
	st := a.classStatus(s, r.Locks, inst)
	if sev := verdict(st, r.Severity); sev != "" {
		a.finding(r.ID, sev, e, msg, a.missing(e, s, r.Locks, bound))
		return
	}
	if st.unknown && !st.held && !st.some {
		if r.TakenHere {
			a.finding(r.ID, r.Severity, e, msg, a.missing(e, s, r.Locks, bound))
			return
		}
		// not taken here on any path: maybe the caller holds it
		if bound == "" && a.anticipatedAny(r.Locks, e) {
			a.finding(r.ID, r.Severity, e, msg, Note{File: a.fn.File, Line: e.Pos.Line, Note: "the lock is taken later in this function, so it is not held here"})
			return
		}
		a.addNeed(s, e, r, bound, msg)
	}
}

// missing explains an unmet requirement: where the lock was last released
// (or that it was never taken).
func (a *analysis) missing(e *parse.Event, s state, locks []string, inst string) Note {
	what := strings.Join(locks, " or ")
	if inst != "" {
		what += " on " + inst
	}
	for _, p := range s {
		for k, v := range p.locks.all() {
			if contains(locks, k.class) && v.b&bN != 0 && v.site.text != "" {
				name := k.inst
				if name == "" {
					name = k.class
				}
				return Note{File: a.fn.File, Line: v.site.pos.Line, Note: fmt.Sprintf("%s released here: %s", name, v.site.full())}
			}
		}
	}
	return Note{File: a.fn.File, Line: e.Pos.Line, Note: "needs " + what + " held; not taken on any path to here"}
}

// checkInstanceFrom handles `requires` with instance-from: every object
// that came from one of those calls and is tracked here must be locked.
// An object this function looked up and never locked is taken as not
// locked when the function never takes such a lock at all, or takes it
// later (the premise of these rules: a lookup hands back an unlocked
// object); when the function takes it on other paths, the caller may
// hold it on this one.
func (a *analysis) checkInstanceFrom(s state, e *parse.Event, r *rules.Rule, msg string) {
	var held, not, some bool
	var where site
	takesClass := false
	for k := range a.acquired {
		if contains(r.Locks, k.class) {
			takesClass = true
		}
	}
	laterTaken := a.anticipatedAny(r.Locks, e)
	for _, p := range s {
		objs := map[string]bool{}
		for _, e := range p.vars {
			v, o := e.k, e.v
			if known, ok := p.facts.lookup(v); ok && !known {
				continue // NULL on this path
			}
			if a.fromAny(o, r.InstanceFrom) {
				objs[o] = true
			}
		}
		for k := range p.locks.all() {
			if contains(r.Locks, k.class) && a.fromAny(k.inst, r.InstanceFrom) {
				objs[k.inst] = true
			}
		}
		if len(objs) == 0 {
			continue
		}
		ph := false
		var pb bits
		// sorted: the last object with a site names the trace's site
		objList := make([]string, 0, len(objs))
		for o := range objs {
			objList = append(objList, o)
		}
		sort.Strings(objList)
		for _, o := range objList {
			v := p.get(key{class: r.Locks[0], inst: o})
			for _, c := range r.Locks[1:] {
				if w := p.get(key{class: c, inst: o}); w.b&bH != 0 {
					v = w
				}
			}
			if v.b == bH {
				ph = true
			}
			if v.b&bU != 0 && (!takesClass || laterTaken) {
				v.b = v.b&^bU | bN
			}
			pb |= v.b
			if v.site.text != "" {
				where = v.site
			}
		}
		switch {
		case ph:
			held = true
		case pb&bH != 0:
			some = true
		case pb&bU != 0:
		default:
			not = true
		}
	}
	st := status{held: held, some: some, not: not}
	sev := verdict(st, r.Severity)
	if sev == "" {
		return
	}
	tr := []Note{}
	if where.text != "" {
		tr = append(tr, a.note(where, "%s", describeSite(where)))
	} else if laterTaken {
		tr = append(tr, Note{File: a.fn.File, Line: e.Pos.Line, Note: "the lock is taken later in this function, so it is not held here"})
	}
	a.finding(r.ID, sev, e, msg, tr...)
}

func describeSite(s site) string {
	return s.full() + " here"
}

// fromAny tells whether object o came from a call matching one of pats.
func (a *analysis) fromAny(o string, pats []rules.Pattern) bool {
	for _, callee := range a.origin[o] {
		for i := range pats {
			if pats[i].Callee == callee {
				return true
			}
		}
	}
	return false
}

func (a *analysis) anticipatedAny(classes []string, e *parse.Event) bool {
	b, i := a.locate(e)
	if b < 0 {
		return false
	}
	for _, c := range classes {
		if a.anticipated(c, b, i+1) {
			return true
		}
	}
	return false
}

// locate finds the block and index of an event.
func (a *analysis) locate(e *parse.Event) (int, int) {
	for _, b := range a.fn.Blocks {
		for i := range b.Events {
			if &b.Events[i] == e {
				return b.ID, i
			}
		}
	}
	return -1, -1
}

// addNeed makes an unmet requirement the function's precondition, and
// returns it for the caller to complete.
func (a *analysis) addNeed(s state, e *parse.Event, r *rules.Rule, bound, msg string) *need {
	if !a.rep {
		return nil
	}
	n := need{rule: r, classes: r.Locks, file: a.fn.File, fn: a.fn.Name, pos: e.Pos, msg: msg, param: -3, objParam: -1}
	if bound != "" {
		inst := s[0].resolve(bound)
		param, path, ok := paramOf(a.fn, inst)
		if !ok {
			return nil
		}
		n.instance, n.param, n.path = true, param, path
	}
	if i, dup := a.findNeed(&n); dup {
		return &a.sum.needs[i]
	}
	if a.fn.Entry != "" {
		a.entryUnmet(&n)
	}
	a.sum.needs = append(a.sum.needs, n)
	return &a.sum.needs[len(a.sum.needs)-1]
}

// findNeed finds a requirement already passed on for the same place and
// instance: each is passed on once, with the first trace found, so that
// requirements do not multiply with every call site up a call chain.
func (a *analysis) findNeed(n *need) (int, bool) {
	for i := range a.sum.needs {
		m := &a.sum.needs[i]
		if m.rule == n.rule && m.file == n.file && m.pos == n.pos && m.instance == n.instance &&
			m.param == n.param && m.path == n.path && m.objParam == n.objParam && m.objPath == n.objPath {
			return i, true
		}
	}
	return 0, false
}

// entryUnmet reports a requirement left unmet at an entry point, which
// has no caller to hold the lock.
func (a *analysis) entryUnmet(n *need) {
	a.unmetAtTop(n, fmt.Sprintf("%s is an entry point (%s): no caller holds %s", a.fn.Name, a.fn.Entry, strings.Join(n.classes, " or ")))
}

// unmetAtTop reports requirement n at its place, with why no caller of
// this function holds the lock as the trace's last note.
func (a *analysis) unmetAtTop(n *need, why string) {
	tr := append(append([]Note{}, n.trace...), Note{File: a.fn.File, Line: a.fn.Pos.Line, Note: why})
	a.c.report(Finding{Rule: n.rule.ID, Severity: n.rule.Severity, Message: n.msg, File: n.file, Line: n.pos.Line,
		Column: n.pos.Col, Function: n.fn, Trace: tr})
}

// checkNeed evaluates a callee's precondition at a call.
func (a *analysis) checkNeed(s state, e *parse.Event, n *need) {
	if n.objParam >= 0 {
		var live state
		for _, p := range s {
			if !a.privateArg(p, e, n.objParam, n.objPath, n.rule) {
				live = append(live, p)
			}
		}
		if s = live; len(s) == 0 {
			return
		}
	}
	var inst func(p *partition) (string, bool)
	if n.instance {
		m, ok := mapInst(n.param, n.path, e)
		if !ok {
			return
		}
		inst = func(p *partition) (string, bool) { return p.resolve(m), true }
	}
	st := a.classStatus(s, n.classes, inst)
	call := Note{File: a.fn.File, Line: e.Pos.Line, Note: fmt.Sprintf("called from %s without %s held", a.fn.Name, strings.Join(n.classes, " or "))}
	if sev := verdict(st, n.rule.Severity); sev != "" {
		a.c.report(Finding{Rule: n.rule.ID, Severity: sev, Message: n.msg, File: n.file, Line: n.pos.Line, Column: n.pos.Col,
			Function: n.fn, Trace: append(append([]Note{}, n.trace...), call)})
		return
	}
	if !st.unknown || st.held || st.some {
		return
	}
	// still unknown: pass the requirement on to this function's callers
	m := *n
	m.trace = append(append([]Note{}, n.trace...), call)
	if n.instance {
		mi, _ := mapInst(n.param, n.path, e)
		param, path, ok := paramOf(a.fn, s[0].resolve(mi))
		if !ok {
			return
		}
		m.param, m.path = param, path
	}
	if n.objParam >= 0 {
		m.objParam = -1
		if mi, ok := mapInst(n.objParam, n.objPath, e); ok {
			if param, path, ok := paramOf(a.fn, s[0].resolve(mi)); ok && param >= 0 {
				m.objParam, m.objPath = param, path
			}
		}
	}
	if _, dup := a.findNeed(&m); dup {
		return
	}
	a.sum.needs = append(a.sum.needs, m)
	if a.fn.Entry != "" {
		a.entryUnmet(&m)
	} else if m.rule.Reads && !a.c.calledInView(a.fi) {
		a.noCallerUnmet(&m)
	}
}

// lockOp applies one lock operation, with the built-in checks.
func (a *analysis) lockOp(s state, e *parse.Event, op lockOp) {
	callText := a.callText(e)
	st := site{pos: e.Pos, text: callText}
	// a mismatch is reported when every path has it, once
	everyMismatch := op.kind == opRelease && a.rep && len(s) > 0
	for _, p := range s {
		if !everyMismatch {
			break
		}
		k := key{class: op.class, inst: p.resolve(op.inst)}
		_, _, mis := a.mismatch(p, k)
		everyMismatch = mis && p.get(k).b&bH == 0
	}
	// a double acquire or a release of a lock not held is reported when
	// every path here agrees on it (an unrelated branch before it splits
	// the paths without changing the lock), once
	sem := countingSemaphore(e.Callee)
	if sem || strings.HasSuffix(e.Callee, "_non_owner") {
		// (a `_non_owner` lock is handed to another context by design)
		for _, p := range s {
			a.sema[key{class: op.class, inst: p.resolve(op.inst)}] = true
		}
	}
	if op.kind == opAcquire && a.rep {
		a.noteTake(s, e, op) // (on the settled state, once)
	}
	// (a shared acquisition nests on an rwlock; on a sleeping rwsem a
	// writer queued in between blocks the second one: lockdep's
	// recursive read)
	every := a.rep && len(s) > 0 && !op.result && !sem && (op.kind == opAcquire && !(op.read && op.spin) || op.kind == opRelease)
	var first lockVal
	agreeing := 0
	root := rootIdent(op.inst)
	for _, p := range s {
		if !every {
			break
		}
		if root != "" && len(p.facts) > 0 {
			if v, ok := p.facts.lookup(root); ok && !v {
				// (a path where the object is NULL cannot make this
				// call: `if (ctx) unlock(&ctx->lock); unlock(&ctx->lock);`)
				continue
			}
		}
		k := key{class: op.class, inst: p.resolve(op.inst)}
		cur, explicit := p.locks.lookup(k)
		switch {
		case !explicit || unstable(k.inst) || cur.site.text == "":
			every = false
		case op.kind == opAcquire:
			every = cur.b == bH && cur.site.pos != e.Pos && !cur.waited
		default:
			_, _, mis := a.mismatch(p, k)
			every = cur.b == bN && !mis
		}
		if agreeing == 0 {
			first = cur
		}
		agreeing++
	}
	every = every && agreeing > 0
	if !every && a.rep && op.kind == opRelease && !sem && !op.result && !a.inLoop(e) {
		a.releaseUntaken(s, e, op) // (a test before it is read by the path search itself)
		if !a.condEntered(e) {
			a.releasedAlready(s, e, op)
		}
	}
	if every {
		if op.kind == opAcquire {
			a.finding("double-acquire", a.c.sev["double-acquire"], e,
				fmt.Sprintf("%s acquired while already held", op.inst), a.note(first.site, "%s taken here", first.site.full()))
		} else {
			a.finding("release-unheld", a.c.sev["release-unheld"], e,
				fmt.Sprintf("%s released but not held", op.inst), a.note(first.site, "%s here", first.site.full()))
		}
	}
	for i, p := range s {
		k := key{class: op.class, inst: p.resolve(op.inst)}
		if op.result {
			// `ptl = pmd_lock(...)`: the lock is the object the call returns
			k.inst = resultObject(e)
		}
		cur := p.get(k)
		switch op.kind {
		case opAcquire:
			// the same call reached again (a loop whose iterations take and
			// drop the lock on conditions not followed) is not evidence
			if a.rep && !strings.Contains(e.Callee, "downgrade") {
				// (a downgrade keeps the lock it had: no new order)
				a.checkOrder(s, p, e, op, k)
			}
			if _, explicit := p.locks.lookup(k); explicit && cur.b == bN {
				// taken again after this function dropped it: what it read
				// of shared memory before may have changed meanwhile
				// (`ticket->bytes` tested again after flush_space())
				// (not a test of the lock pointer itself: `if (x->lock)`)
				p.retainFacts(func(f string, _ bool) bool {
					return !strings.Contains(f, "->") || op.inst != "" && strings.Contains(f, op.inst)
				})
			}
			if _, explicit := p.locks.lookup(k); !explicit && !op.read && !freshLock(k.inst) {
				a.fromEntry[k] = true // (see releaseUntaken)
			}
			p.setLock(k, lockVal{b: bH, site: st, spin: op.spin})
			a.acquired[k] = true
			a.direct[k] = true
			// the lock call dereferences its argument: its root is not NULL
			if root := rootIdent(op.inst); root != "" {
				p.setFact(root, true)
			}
			if op.nonNull {
				t := tryOp{op: op, k: k, site: st, call: e.Call, undo: true}
				p.addTry(e.Call, t)
				if e.Result != "" {
					p.addTry(e.Result, t)
				}
			}
		case opTry, opTryZero:
			t := tryOp{op: op, k: k, site: st, call: e.Call}
			p.addTry(e.Call, t)
			if e.Result != "" {
				p.addTry(e.Result, t)
			}
			a.acquired[k] = true
		case opRelease:
			a.c.releasedFrom(a.fn.File, cur, k.class)
			if cur.b&bH == 0 {
				if other, ov, ok := a.mismatch(p, k); ok {
					if everyMismatch && i == 0 {
						a.finding("lock-mismatch", a.c.sev["lock-mismatch"], e,
							fmt.Sprintf("releases %s but the %s lock held here is %s", op.inst, op.class, other.inst),
							a.note(ov.site, "%s taken here", ov.site.full()))
					}
					p.setLock(other, lockVal{b: bN, site: st})
					continue
				}
				if cur.b&bU != 0 {
					a.callerHeld[k] = true // the caller must have taken it
				}
			}
			p.setLock(k, lockVal{b: bN, site: st})
		case opMayRelease:
			p.unknownOfClass(key{class: op.class})
		case opHeld:
			a.recordAssert(e, k, cur)
			if cur.b&bH == 0 || !a.acquired[k] {
				// asserted and not taken here: the caller's lock; one this
				// function took is only confirmed (`lockdep_is_held(&l)`
				// after `spin_lock(&l)`)
				a.callerHeld[k] = true
			}
			if cur.b&bH == 0 {
				p.setLock(k, lockVal{b: bH, site: site{pos: e.Pos, text: callText, note: assertsNote}, spin: op.spin})
			}
		}
	}
}

// releasedAlready reports release e where some paths released the lock
// already and others hold it: a goto into an error ladder's label from
// after the unlock (the label's unlock runs twice on that path).
func (a *analysis) releasedAlready(s state, e *parse.Event, op lockOp) {
	var rel, held *lockVal
	for _, p := range s {
		k := key{class: op.class, inst: p.resolve(op.inst)}
		cur, explicit := p.locks.lookup(k)
		if !explicit || unstable(k.inst) || a.sema[k] || strings.HasPrefix(k.inst, "?") {
			// (a join name: different objects met there, bmc before
			// and after `bmc = intf->bmc`)
			continue
		}
		if _, _, mis := a.mismatch(p, k); mis {
			continue
		}
		switch {
		case cur.b == bN && cur.site.text != "" && rel == nil:
			c := cur
			rel = &c
		case cur.b == bH && held == nil:
			c := cur
			held = &c
		case cur.b&bN != 0 && (cur.b&bH != 0 || cur.b&bU != 0 && a.callerHeld[k]) && !cur.passed && a.direct[k] && rel == nil && held == nil:
			// the two kinds of path met at a label before this
			// release (held: taken here, or the caller's lock this
			// function releases elsewhere): the release that came
			// first is the trace
			if at, ok := a.releaseBefore(k, e, p.resolve); ok {
				c, r := cur, cur
				r.site = at
				held, rel = &c, &r
			}
		}
	}
	if rel != nil && held != nil {
		var notes []Note
		if rel.site.text != "" {
			notes = append(notes, a.note(rel.site, "%s here", rel.site.full()))
		}
		a.finding("release-unheld", "warning", e,
			fmt.Sprintf("%s released on a path where it was released already", op.inst), notes...)
	}
}

// condEntered tells whether e's block is entered only by tested edges:
// an unlock under `if (locked)` follows what the test says, and a state
// merged before it may be one the test tells apart.
func (a *analysis) condEntered(e *parse.Event) bool {
	at, _ := a.locate(e)
	if at <= 0 {
		return at < 0
	}
	tested := false
	for _, b := range a.fn.Blocks {
		for _, s := range b.Succs {
			if s.To == at {
				if s.Cond == "" && s.Case == "" {
					return false
				}
				tested = true
			}
		}
	}
	return tested
}

// inLoop tells whether event e runs in a loop of the function: its block
// can come round to itself. (A merged state there may be the loop's own
// previous pass, whose facts the merge lost.)
func (a *analysis) inLoop(e *parse.Event) bool {
	from, _ := a.locate(e)
	return from < 0 || reaches(a.fn, from, from)
}

// releaseBefore finds the last release of k written before e in this
// function, by its text or by the object it names with the variables as
// resolve has them (`alx->mtx` is `netdev_priv(@41593)->mtx`): the one a
// path that reaches e's release again most likely came through.
func (a *analysis) releaseBefore(k key, e *parse.Event, resolve func(string) string) (site, bool) {
	name := a.displayInst(k)
	var at site
	for _, b := range a.fn.Blocks {
		for i := range b.Events {
			x := &b.Events[i]
			if x.Kind != parse.EvCall || x.Pos == e.Pos || x.Pos.Line > e.Pos.Line || x.Pos.Line < at.pos.Line {
				continue
			}
			for _, op := range a.ops(x) {
				if op.kind == opRelease && op.class == k.class && (op.inst == name || resolve(op.inst) == k.inst) {
					at = site{pos: x.Pos, text: a.callText(x)}
				}
			}
		}
	}
	return at, at.text != ""
}

// countingSemaphore tells whether a call downs or ups a counting semaphore,
// which code also uses as a completion or a count of requests in flight:
// `down(&s); start(&t); down(&s);` waits for the handler's up(), and
// `down(&dev->limit_sem)` in write() is upped by the URB's completion. Such
// a semaphore has no owner to balance, so only sleeping is checked on it.
func countingSemaphore(callee string) bool {
	switch callee {
	case "down", "down_interruptible", "down_killable", "down_timeout", "down_trylock", "up":
		return true
	}
	return false
}

// mismatch finds another instance of a declared class held on this path,
// for a release that names an instance not held.
func (a *analysis) mismatch(p *partition, k key) (key, lockVal, bool) {
	if lc, declared := a.c.set.Locks[k.class]; !declared || !lc.Single || !stable(k.inst) {
		return key{}, lockVal{}, false
	}
	for o, v := range p.locks.all() {
		if o.class == k.class && o.inst != k.inst && v.b == bH && a.acquired[o] && stable(o.inst) {
			return o, v, true
		}
	}
	return key{}, lockVal{}, false
}

// checkOrder handles `order` rules and records pairs for order-inversion.
func (a *analysis) checkOrder(s state, p *partition, e *parse.Event, op lockOp, k key) {
	for hk, hv := range p.locks.all() {
		if hv.b != bH || hk.class == k.class {
			continue
		}
		for _, r := range a.c.active {
			if r.Kind != rules.KindOrder {
				continue
			}
			ti, hi := indexOf(r.Order, k.class), indexOf(r.Order, hk.class)
			if ti >= 0 && hi > ti {
				a.finding(r.ID, r.Severity, e, expand(r.Message, map[string]string{"lock": k.class, "held": hk.class}),
					a.note(hv.site, "%s taken here", hv.site.full()))
			}
		}
		if knownOrField(hk.class) && knownOrField(k.class) && heldOnAll(s, hk) &&
			!strings.Contains(e.Callee, "_nested") && !strings.Contains(hv.site.text, "_nested(") {
			// (a `_nested` acquisition names a lockdep subclass: the code
			// orders instances of one kind, parent before child, by its
			// own rule, which two class names cannot see)
			pair := [2]string{hk.class, k.class}
			if sites := a.c.orderAt[pair]; len(sites) < maxOrderSites && !slices.ContainsFunc(sites, func(o orderSite) bool {
				return o.fn == a.fn.Name && o.file == a.fn.File
			}) {
				site := orderSite{file: a.fn.File, fn: a.fn.Name, pos: e.Pos, text: e.Callee + "(" + argText(e) + ")",
					shared: op.read && op.spin || hv.spin && strings.HasPrefix(hv.site.text, "read_")}
				for ok, ov := range p.locks.all() {
					// (a global lock: one per-object, `sdata_lock(sdata)`,
					// may be two objects' locks at the two sites)
					if _, local := a.fn.VarType(ok.inst); ov.b == bH && ok.class != hk.class && ok.class != k.class &&
						parse.IsIdentifier(ok.inst) && !local {
						site.others = append(site.others, ok.class)
					}
				}
				sort.Strings(site.others)
				a.c.orderAt[pair] = append(sites, site)
			}
		}
	}
}

// heldOnAll tells whether every path holds k.
func heldOnAll(s state, k key) bool {
	for _, p := range s {
		if v, ok := p.locks.lookup(k); !ok || v.b != bH {
			return false
		}
	}
	return true
}

// knownOrField tells whether a class may enter the order graph: a known
// one, or a field of a struct the input does not define ("?.back_lock",
// through `conn->session->back_lock`), which reportOrderInversions
// names by the one known class with that field, if there is one.
func knownOrField(class string) bool {
	if f, ok := strings.CutPrefix(class, "?."); ok {
		return strings.Contains(f, "_") && parse.IsIdentifier(f)
	}
	return !strings.Contains(class, "?")
}

func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	return -1
}

func argText(e *parse.Event) string {
	var parts []string
	for _, a := range e.Args {
		parts = append(parts, a.Text)
	}
	return strings.Join(parts, ", ")
}

// lockStore handles a store of a held lock's address to memory the
// caller reaches (`ctx->res_mutex = mutex` after mutex_lock(mutex)): the
// function leaves the lock with the object for whoever releases it
// through that field (vmw_validation_prepare() and
// vmw_validation_done()), as a lock returned.
func (a *analysis) lockStore(s state, e *parse.Event) {
	if e.Op != "=" || e.Value.Norm == "" || !isPath(e.Value.Norm) || !isPath(e.LHS.Norm) {
		return
	}
	for _, p := range s {
		if _, _, ok := paramOf(a.fn, p.resolve(e.LHS.Norm)); !ok {
			continue
		}
		val := p.resolve(e.Value.Norm)
		p.passHeld(func(k key) bool { return k.inst == val })
	}
}

// write handles a store: the facts and objects it changes, lock
// handovers, and guarded rules.
func (a *analysis) write(s state, e *parse.Event, lastCall *parse.Event) {
	a.flagStore(s, e)
	a.lockStore(s, e)
	lit, isLit := literalTruth(e.Value.Norm)
	// `tx_info->pending_close = true` under the lock, and later `if
	// (tx_info->pending_close) spin_unlock(...)`: a field set to a
	// constant that decides a lock operation is a fact, as a flag is
	flag := isLit && e.Op == "=" && isPath(e.LHS.Norm) && (a.condRel[e.LHS.Norm] || a.condRel["!"+e.LHS.Norm])
	for _, p := range s {
		p.invalidateWrite(e.LHS.Norm)
		if flag {
			p.setFact(e.LHS.Norm, lit)
		}
		if isPath(e.LHS.Norm) {
			// `page[i] = grab_page(...)`: the path names a new object
			p.forget(p.resolve(e.LHS.Norm))
		}
		if lastCall != nil && e.Op == "=" && e.Value.Norm != "" && e.Value.Norm == lastCall.Call && isPath(e.LHS.Norm) {
			// `vmf->ptl = pmd_lock(mm, pmd)`: the lock the call returned
			// is named by the field from here on
			p.rename(resultObject(lastCall), p.resolve(e.LHS.Norm))
		}
	}
	if !a.rep || len(e.Fields) == 0 {
		return
	}
	lhs := e.LHS.Norm
	field := e.Field()
	base := strings.TrimSuffix(strings.TrimSuffix(lhs, "->"+field), "."+field)
	if base == lhs {
		return
	}
	btype := a.typeOf(base)
	if btype == "" && parse.IsIdentifier(base) {
		btype = ownerOf("->" + field)
	}
	for _, r := range a.c.active {
		if r.Kind != rules.KindGuarded || !r.AppliesIn(a.fn.Name) || !contains(r.Fields, btype+"."+field) {
			continue
		}
		a.checkGuarded(s, e, r, base, btype+"."+field)
	}
}

func (p *partition) invalidateWrite(lhs string) {
	p.retainFacts(func(f string, _ bool) bool { return !strings.Contains(f, lhs) })
}

func (a *analysis) checkGuarded(s state, e *parse.Event, r *rules.Rule, base, field string) {
	// private objects: made here by an allocator, or handed to a publish
	// call later in this function
	root := base
	if i := strings.IndexAny(root, "-.["); i >= 0 {
		root = root[:i]
	}
	if e.Base != "" && a.willPublish(r, e.Base, e.Off) {
		return
	}
	if a.stackObject(root) {
		return // a struct on this function's stack is nobody else's
	}
	// the object the field is in: base, or for a struct member
	// (`sdp->sd_tune.gt_logd_secs`) the object that embeds it
	holder := base
	if _, name, _ := strings.Cut(field, "."); e.LHS.Norm == base+"."+name {
		holder = embeddingObject(base)
	}
	var live state
	for _, p := range s {
		obj := p.resolve(holder)
		if a.fresh(obj, r) && !p.published[obj] {
			continue
		}
		live = append(live, p)
	}
	if len(live) == 0 {
		return
	}
	msg := expand(r.Message, map[string]string{"expr": e.LHS.Text, "field": field})
	st := a.classStatus(live, r.Locks, nil)
	if sev := verdict(st, r.Severity); sev != "" {
		a.finding(r.ID, sev, e, msg, a.missing(e, live, r.Locks, ""))
		return
	}
	if st.unknown && !st.held && !st.some {
		if a.anticipatedAny(r.Locks, e) {
			b, i := a.locate(e)
			a.finding(r.ID, r.Severity, e, msg, Note{File: a.fn.File, Line: a.nextAcquireLine(r.Locks, b, i), Note: "the lock is taken after the write, so it was not held for it"})
			return
		}
		if n := a.addNeed(live, e, r, "", msg); n != nil {
			// the caller may pass its own private object
			if param, path, ok := paramOf(a.fn, live[0].resolve(base)); ok && param >= 0 {
				n.objParam, n.objPath = param, path
			}
			if r.Reads && a.fn.Entry == "" && !a.c.calledInView(a.fi) {
				a.noCallerUnmet(n)
			}
		}
	}
}

// stackObject tells whether v is a local struct (not a pointer): an
// object on this function's stack.
func (a *analysis) stackObject(v string) bool {
	for i := len(a.fn.Locals) - 1; i >= 0; i-- {
		if l := a.fn.Locals[i]; l.Name == v {
			return l.Pointer == 0
		}
	}
	return false
}

// privateArg tells whether the argument a call passes for a callee's
// object is private here: a local struct, or something just allocated.
func (a *analysis) privateArg(p *partition, e *parse.Event, param int, path string, r *rules.Rule) bool {
	if param < 0 || param >= len(e.Args) || path != "" {
		return false
	}
	arg := e.Args[param].Norm
	if a.stackObject(arg) {
		return true
	}
	if strings.HasPrefix(strings.TrimSpace(e.Args[param].Text), "&") {
		arg = embeddingObject(arg) // `&sdp->sd_tune`: a part of *sdp
	}
	obj := p.resolve(arg)
	return a.fresh(obj, r) && !p.published[obj]
}

// embeddingObject is the object that the struct path names is a part
// of: `sdp` for `sdp->sd_tune` and `sdp->a.b` (members reached with `.`
// and the member of *sdp they are in); path itself when it is a plain
// variable.
func embeddingObject(path string) string {
	for {
		i := strings.LastIndexByte(path, '.')
		j := strings.LastIndex(path, "->")
		switch {
		case i > j && i > 0 && isPath(path[:i]):
			path = path[:i] // a member of a member: keep going
		case j > 0 && isPath(path[:j]):
			return path[:j]
		default:
			return path
		}
	}
}

// nextAcquireLine finds the line of the next acquisition of one of
// classes after event i of block b, along the first successor chain.
func (a *analysis) nextAcquireLine(classes []string, b, i int) int {
	seen := map[int]bool{}
	for b >= 0 && !seen[b] {
		seen[b] = true
		blk := a.fn.Blocks[b]
		for j := i + 1; j < len(blk.Events); j++ {
			for _, c := range classes {
				if a.classEffect(&blk.Events[j], c) == 1 {
					return blk.Events[j].Pos.Line
				}
			}
		}
		if len(blk.Succs) == 0 {
			break
		}
		b, i = blk.Succs[0].To, -1
	}
	return 0
}

// fresh tells whether an object was made here by one of the rule's
// allocators (or a struct copy into one).
func (a *analysis) fresh(obj string, r *rules.Rule) bool {
	if !strings.HasPrefix(obj, "@") && !strings.HasPrefix(obj, "?") {
		return false
	}
	origins := a.origin[obj]
	if len(origins) == 0 {
		return false
	}
	for _, o := range origins {
		ok := false
		for i := range r.Fresh {
			if r.Fresh[i].Callee == o {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// rootIdent returns the variable an expression starts with.
func rootIdent(e string) string {
	i := 0
	for i < len(e) && isIdentByte(e[i]) {
		i++
	}
	if i == 0 || e[0] >= '0' && e[0] <= '9' {
		return ""
	}
	return e[:i]
}

// stable tells whether an object path is rooted at a parameter or a
// global (not at an object a call made here, whose identity is coarser).
func stable(inst string) bool {
	return inst != "" && inst[0] != '@' && inst[0] != '?'
}

// calleeCalls tells whether the function e calls (when analyzed) itself
// calls one of pats: then it takes care of the ordering inside.
func (a *analysis) calleeCalls(e *parse.Event, pats []rules.Pattern) bool {
	callee := a.c.lookup(e.Callee, a.fi.file)
	if callee == nil {
		return false
	}
	for _, b := range callee.fn.Blocks {
		for i := range b.Events {
			if ev := &b.Events[i]; ev.Kind == parse.EvCall && matchAny(pats, ev) {
				return true
			}
		}
	}
	return false
}

// bitWord is the word a call that changes bits in it is given
// (`set_bit(N, &dev->flags)`, `clear_bit_unlock(N, (void *)&x->state)`),
// "" for other calls.
func bitWord(e *parse.Event) string {
	if e.Kind != parse.EvCall || len(e.Args) < 2 || !strings.Contains(e.Callee, "_bit") {
		return ""
	}
	n := strings.TrimLeft(e.Callee, "_")
	if !strings.Contains(n, "set_bit") && !strings.Contains(n, "clear_bit") && !strings.Contains(n, "change_bit") &&
		!strings.Contains(n, "assign_bit") {
		return ""
	}
	arg := strings.ReplaceAll(e.Args[1].Text, " ", "")
	i := strings.LastIndexByte(arg, '&')
	if i < 0 || !isPath(arg[i+1:]) {
		return ""
	}
	return arg[i+1:]
}

// outPointers rebinds the pointer locals a call is given the address of
// (`follow_pte(mm, addr, &ptep, &ptl)`): from here on they name what the
// callee stored, a new object, not the one they named before, whose lock
// state stays with it.
func (a *analysis) outPointers(s state, e *parse.Event) {
	for _, arg := range e.Args {
		x, ok := strings.CutPrefix(arg.Text, "&")
		if !ok || !parse.IsIdentifier(x) {
			continue
		}
		if v, ok := a.fn.VarType(x); !ok || v.Pointer == 0 {
			continue
		}
		obj := "@" + strconv.Itoa(int(e.Off)) + "&" + x
		for _, p := range s {
			p.forget(obj)
			p.invalidate(x, "")
			p.setVar(x, obj)
		}
	}
}

// hasOutParam tells whether a call gets the address of a local variable
// (an out parameter such as `&locked`).
func (a *analysis) hasOutParam(e *parse.Event) bool {
	for _, arg := range e.Args {
		if strings.HasPrefix(arg.Text, "&") && parse.IsIdentifier(arg.Norm) {
			if _, ok := a.fn.VarType(arg.Norm); ok {
				return true
			}
		}
	}
	return false
}

// unstable tells whether an instance expression may name a different
// lock each time it is evaluated: it indexes an array (`pages[i]` in a
// loop) or calls a function (`EXT4_SB(sb)->s_fc_lock`).
func unstable(inst string) bool {
	return unstableInst(inst)
}

// callsAny tells whether the function calls name anywhere.
func (a *analysis) callsAny(name string) bool {
	for _, b := range a.fn.Blocks {
		for i := range b.Events {
			if b.Events[i].Kind == parse.EvCall && b.Events[i].Callee == name {
				return true
			}
		}
	}
	return false
}
