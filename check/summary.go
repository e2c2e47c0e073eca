package check

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

func severity(s string) rules.Severity { return rules.Severity(s) }

// recordReturn notes the lock state at a return, for lock-balance and
// for the summary.
func (a *analysis) recordReturn(s state, e *parse.Event) {
	r := retSnap{pos: e.Pos, value: e.Value.Norm, locks: map[key]bits{}}
	if len(s) > 0 && isPath(r.value) {
		r.obj = s[0].resolve(r.value)
	}
	// what the value is on the paths here: `return ret` after `if (ret)`
	// returns an error, after `if (!ret)` zero
	for _, p := range s {
		// `return mutex_lock_interruptible(&ce->pin_mutex);`: the caller
		// gets the lock on the result it tests
		for _, t := range p.tries[r.value] {
			if a.retTries == nil {
				a.retTries = map[key]tryOp{}
			}
			a.retTries[t.k] = t
			if r.tried == nil {
				r.tried = map[key]bool{}
			}
			r.tried[t.k] = true
		}
	}
	r.known = a.valueClass(s, r.value)
	if parse.IsIdentifier(r.value) {
		for _, p := range s {
			nz, okNZ := p.facts.lookup(r.value)
			neg, okNeg := p.facts.lookup(r.value + "<0")
			if okNZ && nz || okNeg && neg {
				r.someErr = true // `if (ret) goto fail;` led here on some path
			}
			if okNZ && !nz || okNeg && !neg {
				r.mayZero = true // `if (err < 0)` taken false: it may be 0
			}
			if tested, _ := comparedToError(p, r.value); tested {
				r.someErr = true // `if (err != -ENOSPC) goto out;`
			}
		}
	}
	if (parse.IsIdentifier(r.value) && !a.setToCode(r.value) && len(s) > 1) || r.value == "" {
		for _, p := range s {
			q := retPart{value: valueKey(p, r.value), locks: map[key]bits{}, err: negative(p, r.value) || a.nonZeroError(p, r.value)}
			nz, known := p.facts.lookup(r.value)
			q.zero = known && !nz
			q.mayZero = !(known && nz) && !q.err
			for k, v := range p.locks.all() {
				q.locks[k] = v.b
			}
			r.parts = append(r.parts, q)
		}
	}
	if r.known == valZero {
		r.value = "0"
	}
	for _, p := range s {
		for k, v := range p.locks.all() {
			r.locks[k] |= v.b
			if v.passed {
				if r.passed == nil {
					r.passed = map[key]bool{}
				}
				r.passed[k] = true
			}
		}
	}
	// a path that never touched a lock has it as it came in: unknown, or
	// not held when nobody can have it (checkBalance decides for the
	// function's own locks)
	for _, p := range s {
		for k := range r.locks {
			if _, ok := p.locks.lookup(k); !ok {
				if r.absent == nil {
					r.absent = map[key]bits{}
				}
				r.absent[k] |= p.get(k).b
			}
		}
	}
	a.returns = append(a.returns, r)
}

// summarize derives what callers see from the state at the exit.
func (a *analysis) summarize(exit state) {
	locks := map[key]bits{}
	sites := map[key]lockVal{}
	for _, p := range exit {
		for k, v := range p.locks.all() {
			locks[k] |= v.b
			sites[k] = v
		}
	}
	for _, p := range exit {
		for k := range locks {
			if _, ok := p.locks.lookup(k); !ok {
				locks[k] |= p.get(k).b
			}
		}
	}
	retObj := ""
	for _, r := range a.returns {
		if r.value != "" && len(exit) > 0 {
			retObj = exit[0].resolve(r.value)
		}
	}
	for _, k := range sortedKeys(a.retTries) {
		t := a.retTries[k]
		if _, seen := locks[k]; seen && locks[k]&bH != 0 {
			continue // held on some return anyway: the paths decide
		}
		if param, path, ok := paramOf(a.fn, k.inst); ok {
			a.sum.conditional = append(a.sum.conditional, sumLock{kind: t.op.kind, class: k.class, param: param, path: path,
				spin: t.op.spin, text: clipNote(t.site.full())})
		}
		delete(locks, k)
	}
	for _, k := range sortedKeys(locks) {
		b := locks[k]
		param, path, ok := paramOf(a.fn, k.inst)
		if !ok {
			if retObj != "" && k.inst == retObj {
				param, path, ok = -1, "", true
			} else {
				if b&bH != 0 && a.returnsObject(k.inst) {
					a.c.handedOut(a.fn.File, sites[k]) // `return script;` with script->lock held
				}
				if a.callerHeld[k] && b&bN != 0 && !contains(a.sum.unnamed, k.class) {
					// a caller's lock released through a path the summary
					// cannot name (`iinfo = UDF_I(inode)`)
					a.sum.unnamed = append(a.sum.unnamed, k.class)
				}
				continue
			}
		}
		sl := sumLock{class: k.class, param: param, path: path, spin: sites[k].spin, text: clipNote(sites[k].site.full())}
		if b&bH != 0 && !a.callerHeld[k] {
			a.c.passUp(a.fn.File, sites[k], a.fi, k.class)
		}
		if kind, ok := a.conditional[k]; ok {
			sl.kind = kind
			if kind == opUnknownAPI {
				a.sum.mayAcquire = append(a.sum.mayAcquire, sl)
			} else {
				a.sum.conditional = append(a.sum.conditional, sl)
			}
			continue
		}
		// a lock the caller holds on entry (its first use here releases
		// it) comes back taken again, released, or released on some paths;
		// any other lock comes back taken, maybe taken, or as it was
		if a.callerHeld[k] && b&bN != 0 && !a.acquired[k] {
			a.c.releaser(k.class, a.fi)
		}
		switch {
		case a.callerHeld[k] && b == bN:
			a.sum.releases = append(a.sum.releases, sl)
		case a.callerHeld[k] && b&bN != 0:
			a.sum.mayRelease = append(a.sum.mayRelease, sl)
		case a.callerHeld[k] && a.mayRel[k] > 0 && a.mayRel[k] <= maxReleaseHops:
			// one a callee may have released, a few calls down
			// (do_wait_thread() over wait_task_zombie()): further up, every
			// caller of a common helper would lose its lock state
			sl.hops = a.mayRel[k]
			a.sum.mayRelease = append(a.sum.mayRelease, sl)
		case a.callerHeld[k]:
		case b == bH && a.acquired[k]:
			a.sum.acquires = append(a.sum.acquires, sl)
		case b&bH != 0 && a.acquired[k]:
			a.sum.mayAcquire = append(a.sum.mayAcquire, sl)
		}
	}
	both := map[string]int{}
	for _, an := range a.fn.Annotations {
		if an.Kind == "acquires" || an.Kind == "releases" {
			both[an.Arg.Norm]++
		}
	}
	partial := false // an annotated acquisition the body takes on some paths only
	var condKind opKind
	condFound := false
	for _, an := range a.fn.Annotations {
		param, path, ok := paramOf(a.fn, an.Arg.Norm)
		if an.Kind != "acquires" || !ok || both[an.Arg.Norm] > 1 {
			continue
		}
		sl := sumLock{class: genericClass(an.Arg.Norm, a.typeOf), param: param, path: path}
		partial = partial || hasLock(a.sum.conditional, sl) || hasLock(a.sum.mayAcquire, sl)
		for _, c := range a.sum.conditional {
			if c.class == sl.class && c.param == sl.param && c.path == sl.path {
				condKind, condFound = c.kind, true
			}
		}
	}
	if !condFound {
		// the annotation names a lock the body reaches another way
		// (`__acquires(&bdev->bd_queue->queue_lock)` on a lock taken
		// through a local): the body's conditional locks decide
		for _, k := range sortedKeys(a.conditional) {
			if kind := a.conditional[k]; kind != opUnknownAPI {
				condKind, condFound = kind, true
				partial = true
			}
		}
	}
	for _, an := range a.fn.Annotations {
		param, path, ok := paramOf(a.fn, an.Arg.Norm)
		if !ok || both[an.Arg.Norm] > 1 {
			continue // `__releases(l) __acquires(l)`: drops it and takes it back
		}
		sl := sumLock{class: genericClass(an.Arg.Norm, a.typeOf), param: param, path: path, text: "__" + an.Kind + "(" + an.Arg.Text + ")"}
		if path == "" && param >= 0 && a.bodyNames(an.Kind, param) {
			// `wdev_lock(wdev) __acquires(wdev)` names the object, as a
			// sparse context; the body says which of its locks it takes
			continue
		}
		switch an.Kind {
		case "acquires":
			// checked against the body: a function annotated
			// `__acquires(l)` that keeps l only on success, or on some
			// paths, is summarized by what its paths do
			if hasLock(a.sum.conditional, sl) || hasLock(a.sum.mayAcquire, sl) {
				continue
			}
			// a lock the body does not follow (rcu) goes the way of the
			// locks annotated with it that the body does follow: when
			// those are taken on some paths only (`__acquires(rcu)
			// __acquires(&q->queue_lock)` on a function that fails
			// without either, blkg_conf_prep), so is it
			if partial && condFound {
				// taken with them: on the same success
				sl.kind = condKind
				a.sum.conditional = appendUnique(a.sum.conditional, sl)
				continue
			}
			if partial {
				a.sum.mayAcquire = appendUnique(a.sum.mayAcquire, sl)
				continue
			}
			a.sum.acquires = appendUnique(a.sum.acquires, sl)
		case "releases":
			a.sum.releases = appendUnique(a.sum.releases, sl)
		}
	}
}

// tellsApart tells whether a return's value may say to the caller which
// paths it came by: a variable or a call the paths may have set
// differently (`ret = VM_FAULT_LOCKED` on the path that keeps the folio
// locked). Paths merged at such a return, some holding the lock, are a
// conditional-acquire API as often as a leak: too weak for a warning. A
// constant, an error, or no value says nothing.
func tellsApart(r retSnap) bool {
	switch r.known {
	case valVoid, valZero, valNull, valOne, valError:
		return false
	}
	return true
}

// valueKey is what a path knows of variable v: its tests and its object.
func valueKey(p *partition, v string) string {
	var ks []string
	for f, b := range p.facts.all() {
		if mentions(f, v) {
			ks = append(ks, fmt.Sprint(f, b))
		}
	}
	sort.Strings(ks)
	o, _ := p.vars.get(v)
	return strings.Join(ks, "\x00") + "\x01" + o
}

// negative tells whether path p tested v negative (`if (ret < 0)`): an
// error for sure, where `if (ret)` may test a count or a flag whose zero
// the engine did not follow through a loop.
func negative(p *partition, v string) bool {
	if !parse.IsIdentifier(v) {
		return false
	}
	neg, ok := p.facts.lookup(v + "<0")
	return ok && neg
}

// heldOnErrorOnly tells whether, of the paths to this return, those that
// hold k return a negative error and some that released it do not: held
// only on error is a leak, whatever the value tells the caller.
func (r *retSnap) heldOnErrorOnly(k key) bool {
	held, ok := false, false
	for _, q := range r.parts {
		b, has := q.locks[k]
		switch {
		case !has:
		case b&bH != 0 && (b != bH || !q.err):
			return false
		case b == bH:
			held = true
		case b == bN && !q.err:
			ok = true
		}
	}
	return held && ok
}

// sameValueFor tells whether a path holding k and one that released it
// reach this return knowing the same of its value: then the value cannot
// say to the caller which one it came by.
func (r *retSnap) sameValueFor(k key) bool {
	held := map[string]bool{}
	heldZero := false
	for _, q := range r.parts {
		if q.locks[k] == bH|bN {
			return true // paths merged knowing the same of the value, some holding it
		}
		if q.locks[k] == bH {
			held[q.value] = true
			heldZero = heldZero || q.zero
		}
	}
	for _, q := range r.parts {
		if b, ok := q.locks[k]; ok && b == bN && (held[q.value] || heldZero && q.mayZero) {
			// (a path that set it to 0 and one that knows nothing that
			// says otherwise may give the same: `ret = 0` kept, `ret =
			// flush()` released)
			return true
		}
	}
	return false
}

// nonZeroError tells whether v, known not zero on this path (`if (ret)`
// taken), holds an error: the function stores in v only 0, error
// constants (one at least) and what calls return, never a count or a
// size (`ret = header->size`, which `if (ret)` would let through too).
func (a *analysis) nonZeroError(p *partition, v string) bool {
	if nz, ok := p.facts.lookup(v); !ok || !nz || a.fn.ReturnType.Type == "bool" || a.fn.ReturnType.Pointer > 0 {
		return false
	}
	if got, ok := a.errnoVars[v]; ok {
		return got
	}
	sawErr, only := false, true
	for _, b := range a.fn.Blocks {
		var last *parse.Event
		for i := range b.Events {
			e := &b.Events[i]
			switch {
			case e.Kind == parse.EvUpdate && e.Var == v:
				only = false
			case e.Kind == parse.EvAssign && e.Var == v:
				switch val := e.Value.Norm; {
				case errorConstant(val):
					sawErr = true
				case val == "0" || last != nil && last.Result == v:
				default:
					only = false
				}
			}
			last = nil
			if e.Kind == parse.EvCall {
				last = e
			}
		}
	}
	if a.errnoVars == nil {
		a.errnoVars = map[string]bool{}
	}
	a.errnoVars[v] = sawErr && only
	return sawErr && only
}

// setToCode tells whether the function puts a status code other than 0
// or an error in v anywhere (`ret = VM_FAULT_LOCKED`): a value that
// may tell paths apart which the engine does not follow.
func (a *analysis) setToCode(v string) bool {
	for _, b := range a.fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			if e.Kind != parse.EvAssign || e.Var != v {
				continue
			}
			val := e.Value.Norm
			if val == "0" || errorConstant(val) || val == "" {
				continue
			}
			if c := val[0]; c >= '0' && c <= '9' || macroName(val) || strings.Contains(val, "|") {
				return true
			}
		}
	}
	return false
}

// maxNoteText bounds the text a summary lock carries into its callers'
// notes. Each caller's note quotes its callee's (`c0(p) (takes c1(p)
// (takes ...))`), so down a chain of thousands of calls the texts would
// grow with the chain and their total with its square.
const maxNoteText = 256

func clipNote(s string) string {
	if len(s) <= maxNoteText {
		return s
	}
	i := maxNoteText
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// finishNotes fills in, once, the trace notes a summary's locks leave at
// call sites.
func (s *summary) finishNotes() {
	for _, ls := range [][]sumLock{s.acquires, s.mayAcquire, s.releases, s.mayRelease, s.conditional} {
		for i := range ls {
			t := ls[i].text
			ls[i].notes = &lockNotes{
				takes: " (takes " + t + ")", mayTake: " (may take " + t + ")", releases: " (releases " + t + ")",
				releasesOnFailure: " (releases " + t + " on failure)", holdsOnSuccess: " (holds " + t + " on success)",
				mayRelease: " (may release " + t + ")",
			}
		}
	}
}

// hasLock tells whether ls names l's lock (class, parameter and path).
func hasLock(ls []sumLock, l sumLock) bool {
	for _, x := range ls {
		if x.class == l.class && x.param == l.param && x.path == l.path {
			return true
		}
	}
	return false
}

func appendUnique(ls []sumLock, l sumLock) []sumLock {
	for _, x := range ls {
		if x.class == l.class && x.param == l.param && x.path == l.path {
			return ls
		}
	}
	return append(ls, l)
}

// bodyNames tells whether the body's own summary takes (kind
// "acquires") or drops a lock on a field of parameter param.
func (a *analysis) bodyNames(kind string, param int) bool {
	lists := [][]sumLock{a.sum.releases, a.sum.mayRelease}
	if kind == "acquires" {
		lists = [][]sumLock{a.sum.acquires, a.sum.mayAcquire, a.sum.conditional}
	}
	for _, ls := range lists {
		for _, l := range ls {
			if l.param == param && l.path != "" {
				return true
			}
		}
	}
	return false
}

// applySummary applies a callee's effect on locks at a call.
func (a *analysis) applySummary(s state, e *parse.Event, callee *fnInfo) {
	sum := callee.sum
	st := site{pos: e.Pos, text: a.callText(e)}
	apply := func(ls []sumLock, f func(p *partition, k key, l sumLock)) {
		for _, l := range ls {
			inst, ok := mapInst(l.param, l.path, e)
			if l.param == -1 {
				if e.Result == "" {
					continue
				}
				// the returned object is made at this call; assign binds it
				inst, ok = resultObject(e), true
			}
			if !ok {
				continue
			}
			for _, p := range s {
				k := key{class: l.class, inst: inst}
				if l.param != -1 {
					k.inst = p.resolve(inst)
				}
				if l.path == "" && l.param >= 0 {
					// a bare `spinlock_t *lock` parameter: the callee's class
					// is the type's; the caller's lock at that argument may
					// have a more precise one (`&log->l_icloglock`)
					k.class = p.classOf(k.inst, k.class)
				}
				f(p, k, l)
			}
		}
	}
	if len(sum.acquires)+len(sum.mayAcquire)+len(sum.conditional) > 0 {
		a.c.gave(a.fn.File, e.Pos, a.fi, callee)
	}
	apply(sum.acquires, func(p *partition, k key, l sumLock) {
		p.setLock(k, lockVal{b: bH, site: site{pos: st.pos, text: st.text, note: l.notes.takes}, spin: l.spin})
		a.acquired[k] = true
	})
	apply(sum.mayAcquire, func(p *partition, k key, l sumLock) {
		v := p.get(k)
		v.b |= bH
		v.site = site{pos: st.pos, text: st.text, note: l.notes.mayTake}
		v.spin = l.spin
		p.setLock(k, v)
		a.acquired[k] = true
	})
	apply(sum.releases, func(p *partition, k key, l sumLock) {
		a.calleeReleases(p, k)
		p.setLock(k, lockVal{b: bN, site: site{pos: st.pos, text: st.text, note: l.notes.releases}})
	})
	if len(sum.passes) > 0 {
		a.markPassed(s, e, sum.passes)
	}
	for _, class := range sum.unnamed {
		// the callee may release a lock of this class that the caller
		// holds: which one, the summary does not say
		for _, p := range s {
			for k, v := range p.locks.all() {
				if k.class == class && v.b&bH != 0 {
					p.setLock(k, lockVal{b: bU, site: site{pos: st.pos, text: st.text, note: " may release it"}})
				}
			}
		}
	}
	// held when the call succeeds: released for now, taken on the branch
	// that tests the result for success
	failed := bN
	if len(sum.conditional) > 0 && !a.resultUsed(e) {
		// the result goes where this function does not test it (a wait
		// macro's condition, `rcuwait_wait_event(w,
		// wq_manager_inactive(pool), ...)`): held or not, not known
		failed = bU
	}
	apply(sum.conditional, func(p *partition, k key, l sumLock) {
		if p.get(k).b&bU != 0 && l.kind == opTryZero {
			a.callerHeld[k] = true // a killable-style helper drops the caller's lock
		}
		p.setLock(k, lockVal{b: failed, site: site{pos: st.pos, text: st.text, note: l.notes.releasesOnFailure}})
		t := tryOp{op: lockOp{kind: l.kind, class: l.class, spin: l.spin}, k: k,
			site: site{pos: st.pos, text: st.text, note: l.notes.holdsOnSuccess}, call: e.Call}
		p.addTry(e.Call, t)
		if e.Result != "" {
			p.addTry(e.Result, t)
		}
	})
	// a release on some paths of the callee: from here on, not known
	apply(sum.mayRelease, func(p *partition, k key, l sumLock) {
		if h := l.hops + 1; a.mayRel[k] == 0 || h < a.mayRel[k] {
			a.mayRel[k] = h
		}
		a.calleeReleases(p, k)
		p.setLock(k, lockVal{b: bU, site: site{pos: st.pos, text: st.text, note: l.notes.mayRelease}})
	})
}

// calleeReleases notes what a callee's release (or may-release) of k says
// before the caller's state of k changes: evidence for a callee that gave
// the lock (releasedFrom); a lock of k's class held here under another
// path, which the callee must be reaching that way (`xlog_wait_on_iclog
// (ctx->iclog)` drops `iclog->ic_log->lock`, held as `log->lock`;
// ttm_bo_swapout() drops `bo->bdev->lru_lock`), made unknown; and k the
// caller's own caller's lock when it was not known here.
func (a *analysis) calleeReleases(p *partition, k key) {
	a.c.releasedFrom(a.fn.File, p.get(k), k.class)
	if p.get(k).b&bH == 0 {
		p.unknownOfClass(k)
	}
	if p.get(k).b&bU != 0 {
		a.callerHeld[k] = true
	}
}

// checkBalance reports returns that keep a lock the function took while
// other returns release it.
func (a *analysis) checkBalance() {
	if len(a.returns) == 0 {
		return
	}
	// in key order, not map order: returns keep one finding per rule and
	// place, so which lock it names must not depend on the iteration
	for _, k := range sortedKeys(a.acquired) {
		if unstable(k.inst) || a.callerHeld[k] || a.sema[k] {
			continue // a caller's lock (released or asserted here) balances elsewhere
		}
		var heldAt, releasedAt []retSnap
		var mixed, onError []retSnap
		var partial []retSnap // returns where some paths hold it and some released it
		for _, r := range a.returns {
			b, ok := r.locks[k]
			if !ok {
				continue
			}
			if ab, absent := r.absent[k]; absent {
				// on the paths here that never took it, a lock this
				// function takes and did not find held is not held
				if ab == bU {
					ab = bN
				}
				if b != bH || r.value != "" || !a.direct[k] {
					b |= ab
				}
				// else a return with no value (the end of a void body)
				// where every path that took the lock still holds it:
				// the caller cannot tell those paths from the ones that
				// never took it, so they leak it
			}
			if raw := r.locks[k]; raw&bH != 0 && raw&bN != 0 && !r.end && !r.passed[k] && !r.tried[k] {
				// (released there, not only never taken)
				partial = append(partial, r)
			}
			switch {
			case b == bH && a.fn.ReturnType.Pointer > 0 && r.obj != "" && !r.end &&
				fieldOf(k.inst, r.obj):
				// `return stp;` with stp->st_mutex held: it hands the
				// caller a locked object, as its other returns may
				// hand another one (init_lock_stateid())
			case r.tried[k]:
				// `return __folio_lock_killable(folio);`: held as the
				// result says, the caller's to test
			case r.passed[k]:
				// an unanalyzed function got the lock's object: unknown
			case b == bH:
				heldAt = append(heldAt, r)
			case b == bN:
				releasedAt = append(releasedAt, r)
			case b&bH != 0 && b&bN != 0 && a.direct[k] && !r.end && stable(k.inst) && r.heldOnErrorOnly(k):
				// `goto done` on `ret < 0` with the lock held, to the
				// `return ret` the released paths reach too
				onError = append(onError, r)
			case b&bH != 0 && b&bN != 0 && a.direct[k] && (!r.end && !tellsApart(r) || r.sameValueFor(k)):
				// (a lock only a callee takes is the callee's to answer for)
				mixed = append(mixed, r)
			}
		}
		if cursor, ok := a.loopCursor(k); ok && len(heldAt) > 0 && a.direct[k] && a.releasedSomewhere(k) {
			// whatever the value says, the caller cannot release a lock
			// on an object it has no name for: one a walk in here came
			// upon and no return or store hands out
			for _, r := range heldAt {
				a.balanceFinding(k, r, string(a.c.sev["lock-balance"]), fmt.Sprintf(
					"%s (%s) is still held at this return; other paths release it, and no caller can: %s is an object this function's walk came upon and does not hand out",
					a.displayInst(k), k.class, cursor), false)
			}
			continue
		}
		if len(heldAt) > 0 && len(releasedAt) > 0 {
			if kind, ok := conditionalAPI(heldAt, releasedAt); ok && !a.untakenAlike(k, heldAt) && !a.c.privateLock(a.fi, k) {
				// (a bool that keeps the lock on false is one too:
				// tree_mod_dont_log(), fast_dput())
				a.conditional[k] = kind
				a.unconfirmedAPI(k, heldAt[0], releasedAt)
				continue
			}
			rel := releasedAt[0]
			for _, r := range releasedAt {
				if !r.end {
					rel = r // a return in the text is the better example
					break
				}
			}
			for _, r := range heldAt {
				name := a.displayInst(k)
				msg := fmt.Sprintf("%s (%s) is still held at this return; the return at line %d releases it", name, k.class, rel.pos.Line)
				if rel.end {
					msg = fmt.Sprintf("%s (%s) is still held at this return; the paths that run to the end of the function release it", name, k.class)
				}
				if r.end {
					msg = fmt.Sprintf("%s (%s) is still held at the end of the function; the return at line %d releases it", name, k.class, rel.pos.Line)
				}
				a.balanceFinding(k, r, string(a.c.sev["lock-balance"]), msg, toldApart(r, releasedAt))
			}
		}
		if len(heldAt) > 0 && len(releasedAt) == 0 && a.direct[k] && stable(k.inst) {
			// no return releases it on every path, but one does on some
			// (`if (res) goto err;` ... `err: return res;`): an error
			// return that keeps it leaks it
			if rel, ok := firstOf(onError, partial); ok {
				for _, r := range heldAt {
					if r.known == valError {
						a.balanceFinding(k, r, string(a.c.sev["lock-balance"]), fmt.Sprintf(
							"%s (%s) is still held at this error return; paths to the return at line %d release it",
							a.displayInst(k), k.class, rel.pos.Line), false)
					}
				}
			}
		}
		if len(heldAt) > 0 && len(releasedAt) == 0 && a.fromEntry[k] && stable(k.inst) {
			a.heldWhateverItReturns(k, heldAt)
		}
		for _, r := range onError {
			a.balanceFinding(k, r, string(a.c.sev["lock-balance"]), fmt.Sprintf(
				"%s (%s) is still held at this return on the paths where %s is an error; the paths that succeed release it",
				a.displayInst(k), k.class, r.value), false)
		}
		if unstable(k.inst) {
			continue
		}
		// objects made in this function can be merged across paths (a
		// variable that held different pages): only locks on parameters
		// and globals are followed precisely enough for this warning
		if strings.HasPrefix(k.inst, "@") || strings.HasPrefix(k.inst, "?") {
			continue
		}
		for _, r := range mixed {
			if !a.leakPath(k, r) {
				continue
			}
			a.balanceFinding(k, r, "warning", fmt.Sprintf("%s (%s) is held on some paths to this return and released on others", a.displayInst(k), k.class), true)
		}
	}
}

// heldWhateverItReturns reports a lock a function takes from its entry
// state and keeps whatever it returns (true on one path, false on
// another) while a return that never took it gives one of those values
// too: no result tells its caller when the lock is held. (A helper that
// returns the lock held on every path that takes it, with one value, is
// a lock helper; one held only on a value the others never give is a
// conditional one.)
func (a *analysis) heldWhateverItReturns(k key, heldAt []retSnap) {
	constant := func(v string) bool { return v == valOne || v == valZero || v == valNull }
	kept := map[string]bool{}
	for _, r := range heldAt {
		if !constant(r.known) || r.end {
			return
		}
		kept[r.known] = true
	}
	if len(kept) < 2 {
		return
	}
	for _, u := range a.returns {
		if _, touched := u.locks[k]; touched || u.end || !kept[u.known] {
			continue
		}
		for _, r := range heldAt {
			if r.known == u.known {
				a.balanceFinding(k, r, string(a.c.sev["lock-balance"]), fmt.Sprintf(
					"%s (%s) is still held at this return, and at the return at line %d that gives the other value; the return at line %d gives this value without taking it, so no caller can tell when to release it",
					a.displayInst(k), k.class, other(heldAt, r).pos.Line, u.pos.Line), false)
			}
		}
		return
	}
}

// other is a return of rs whose value differs from r's.
func other(rs []retSnap, r retSnap) retSnap {
	for _, o := range rs {
		if o.known != r.known {
			return o
		}
	}
	return r
}

// displayInst is a lock instance as the code spells it: an object made
// in the function ("@8766->update_lock", the object a call returned) is
// named by the expression its acquisition used (`data->update_lock`).
func (a *analysis) displayInst(k key) string {
	if k.inst == "" && k.class != "" {
		return k.class // (a class of one lock: cpu_hotplug)
	}
	if stable(k.inst) {
		return a.asWritten(k.inst)
	}
	i := strings.IndexAny(k.inst, "-.")
	for _, b := range a.fn.Blocks {
		for j := range b.Events {
			e := &b.Events[j]
			if e.Kind != parse.EvCall {
				continue
			}
			for _, op := range a.ops(e) {
				if op.class != k.class || op.kind == opRelease || op.inst == "" {
					continue
				}
				if i < 0 || strings.HasSuffix(op.inst, k.inst[i:]) {
					return op.inst
				}
			}
		}
	}
	return "the lock"
}

// successValue tells whether a return value says success: 0 for an int
// (false is a bool's failure), true, an object.
func (a *analysis) successValue(known string) bool {
	if known == valZero {
		return !(a.fn.ReturnType.Type == "bool" && a.fn.ReturnType.Pointer == 0)
	}
	return known == valOne || known == valNonNull || known == "pointer"
}

// returnsObject tells whether some return gives back the object whose
// lock inst is (`return obj` after `spin_lock(&obj->lock)`).
func (a *analysis) returnsObject(inst string) bool {
	for _, r := range a.returns {
		if r.obj != "" && within(inst, r.obj) {
			return true
		}
	}
	return false
}

// asWritten names a lock through the local the function reaches it by
// (`mcp->lock` for `data->lock` after `mcp = data`), when one is set to
// the lock's object path.
func (a *analysis) asWritten(inst string) string {
	for _, b := range a.fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			if e.Kind != parse.EvAssign || !isPath(e.Value.Norm) && !(strings.ContainsRune(e.Value.Norm, '(') && accessorInst(e.Value.Norm)) || e.Value.Norm == e.Var {
				continue
			}
			if fieldOf(inst, e.Value.Norm) {
				return e.Var + inst[len(e.Value.Norm):]
			}
		}
	}
	return inst
}

// firstOf is the first return of the lists, in order.
func firstOf(lists ...[]retSnap) (retSnap, bool) {
	for _, l := range lists {
		if len(l) > 0 {
			return l[0], true
		}
	}
	return retSnap{}, false
}

// toldApart tells whether the value of held, a return that keeps a lock,
// differs from that of every return in released: only then can a caller
// tell from it that the lock is its to release.
func toldApart(held retSnap, released []retSnap) bool {
	for _, r := range released {
		switch {
		case r.known == valError:
		case r.known == valNull && (held.known == valNonNull || held.known == "pointer"):
		case r.known == valZero && (held.known == valOne || held.known == valNonNull):
		case r.known == valOne && held.known == valZero:
		case r.value != "" && r.value != "0" && !parse.IsIdentifier(r.value):
			// a value computed at the return (`!mmap_read_lock_killable(mm)`)
			// may well be what tells the paths apart
		default:
			return false
		}
	}
	return true
}

// untakenAlike tells whether a return on whose paths the function never
// touched a lock of k's class gives the same known value as a return that keeps k
// (`return 0` before the lock and `return 0` after it): the caller cannot
// tell them apart, so the value is no conditional-acquire API.
func (a *analysis) untakenAlike(k key, held []retSnap) bool {
	for _, r := range a.returns {
		if r.end || r.known != valZero && r.known != valOne && r.known != valNull || touchesClass(r, k.class) {
			// (only a literal says the value is the same: two pointers,
			// two status codes or two errors may differ)
			continue
		}
		for _, h := range held {
			if h.known == r.known {
				return true
			}
		}
	}
	return false
}

// touchesClass tells whether some path to r has a state for a lock of
// class (k itself, or another instance that may be it).
func touchesClass(r retSnap, class string) bool {
	for o := range r.locks {
		if o.class == class {
			return true
		}
	}
	return false
}

// loopCursor tells whether lock k is on an object a variable was set to
// by an assignment that is no path (`zone = &zones[i]`, an iterator
// macro), and which the function never hands out: not returned, not
// stored, not passed by address. It gives the variable.
func (a *analysis) loopCursor(k key) (string, bool) {
	if !strings.HasPrefix(k.inst, "@") || a.returnsObject(k.inst) {
		return "", false
	}
	v := ""
	for _, b := range a.fn.Blocks {
		for i := range b.Events {
			// (the object assign() made there: "@" and the offset)
			if e := &b.Events[i]; e.Kind == parse.EvAssign && within(k.inst, "@"+strconv.Itoa(int(e.Off))) && a.walkStep(e.Value.Norm) {
				v = e.Var
			}
		}
	}
	if v == "" {
		return "", false
	}
	for _, b := range a.fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			switch e.Kind {
			case parse.EvWrite, parse.EvAssign, parse.EvReturn:
				if (e.Op == "" || e.Op == "=") && (e.Value.Norm == v || e.Value.Norm == "&"+v) {
					return "", false
				}
			case parse.EvCall:
				for _, arg := range e.Args {
					if arg.Norm == "&"+v {
						return "", false
					}
				}
			}
		}
	}
	return v, true
}

// walkStep tells whether an assigned value is a step of a walk a caller
// cannot retrace: an iterator macro, or an element chosen by an index
// only this function knows (`&zones[i]` for a local i, not
// `&c->jheads[jhead]` for a parameter or `&h->lhash2[st->bucket]`).
func (a *analysis) walkStep(val string) bool {
	if name, _, ok := strings.Cut(val, "("); ok {
		return strings.Contains(name, "for_each")
	}
	for rest := val; ; {
		i := strings.IndexByte(rest, '[')
		if i < 0 {
			return rest != val
		}
		j := strings.IndexByte(rest[i:], ']')
		if j < 0 {
			return false
		}
		idx := rest[i+1 : i+j]
		if !a.isLocal(idx) {
			return false
		}
		rest = rest[i+j+1:]
	}
}

// isLocal tells whether name is a variable declared in the body.
func (a *analysis) isLocal(name string) bool {
	for _, l := range a.fn.Locals {
		if l.Name == name {
			return true
		}
	}
	return false
}

// releasedSomewhere tells whether the function releases k on some path:
// a return sees it released (on all its paths, or some), or a release
// names it as its acquisition does (a loop that forgot its last pass's
// object at the exit).
func (a *analysis) releasedSomewhere(k key) bool {
	for _, r := range a.returns {
		if r.locks[k]&bN != 0 {
			return true
		}
	}
	name := a.displayInst(k)
	for _, b := range a.fn.Blocks {
		for i := range b.Events {
			if e := &b.Events[i]; e.Kind == parse.EvCall {
				for _, op := range a.ops(e) {
					if op.kind == opRelease && op.class == k.class && op.inst == name {
						return true
					}
				}
			}
		}
	}
	return false
}

// releasesOwn tells whether the function releases a lock of k's class
// anywhere: itself, by a name that says unlock, or through a callee
// whose summary releases one.
func (a *analysis) releasesOwn(k key) bool {
	for _, b := range a.fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			if e.Kind != parse.EvCall {
				continue
			}
			for _, op := range a.ops(e) {
				if op.kind == opRelease && op.class == k.class {
					return true
				}
			}
			if op, ok := nameOp(e.Callee); ok && op.kind == opRelease {
				return true
			}
			if callee := a.c.lookup(e.Callee, a.fi.file); callee != nil && callee.sum != nil {
				for _, l := range append(append([]sumLock{}, callee.sum.releases...), callee.sum.mayRelease...) {
					if l.class == k.class {
						return true
					}
				}
			}
		}
	}
	return false
}

// takenAt is the trace of where this function takes locks of k's class
// (at most three), each note ending in more.
func (a *analysis) takenAt(k key, more string) []Note {
	var tr []Note
	for _, b := range a.fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			if e.Kind != parse.EvCall {
				continue
			}
			for _, op := range a.ops(e) {
				if op.class == k.class && (op.kind == opAcquire || op.kind == opTry || op.kind == opTryZero) {
					tr = append(tr, Note{File: a.fn.File, Line: e.Pos.Line, Note: e.Callee + "(" + argText(e) + ") takes it here" + more})
				}
			}
		}
	}
	if len(tr) > 3 {
		tr = tr[:3]
	}
	return tr
}

// balanceFinding reports a return that keeps lock k; told says whether
// its value tells it apart from the returns that release k (see
// callerEvidence: a releaser elsewhere excuses only such a return).
func (a *analysis) balanceFinding(k key, r retSnap, sev string, msg string, told bool) {
	if op, ok := nameOp(strings.TrimLeft(a.fn.Name, "_")); ok && (op.kind == opAcquire || op.kind == opTry) && r.known != valError {
		return // sem_lock(), foo_trylock(): taking a lock is what it is for
	}
	tr := a.takenAt(k, "")
	f := Finding{Rule: "lock-balance", Severity: severity(sev), Message: msg, File: a.fn.File, Line: r.pos.Line,
		Column: r.pos.Col, Function: a.fn.Name, Trace: tr}
	if _, _, ok := paramOf(a.fn, k.inst); ok || a.returnsObject(k.inst) {
		// a lock the callers can see: kept for their verdict (callerEvidence)
		a.c.pending = append(a.c.pending, pendingBalance{f: f, fi: a.fi, class: k.class, success: told && a.successValue(r.known),
			beginOnly: r.known != valError && !a.releasesOwn(k)}) // (held on an error return is no beginning)
		return
	}
	a.c.report(f)
}

// leakPath tells whether some path of the text runs from a place where
// the function takes a lock of k's class to the return r without passing
// anything that releases a lock of that class: the evidence a "held on
// some paths" warning needs. The states merged at a return can hold a
// lock on paths the text does not have, when one object is spelled by
// several names in turn: a loop that moves its cursor after each unlock
// (`while ((lruvec = parent_lruvec(lruvec)))`), hand-over-hand locking
// (`this_parent = dentry`), two pointers to one object that a test makes
// the same. Every path from each acquisition passing a release is no
// proof of a leak: the warning needs the path.
func (a *analysis) leakPath(k key, r retSnap) bool {
	releases := func(e *parse.Event) bool {
		if e.Kind != parse.EvCall && e.Kind != parse.EvScopeEnd {
			return false
		}
		ops := a.ops(e)
		for _, op := range ops {
			if op.class == k.class && (op.kind == opRelease || e.Kind == parse.EvScopeEnd) {
				return true // (a scope's end repeats the call that took it)
			}
		}
		if e.Kind == parse.EvScopeEnd || len(ops) > 0 {
			return false // (a primitive on another lock)
		}
		callee := a.c.lookup(e.Callee, a.fi.file)
		if last := lastName(e.Callee); callee == nil && (strings.HasSuffix(last, "_unlock") || strings.Contains(last, "_and_unlock")) {
			// `fiq->ops->wake_pending_and_unlock(fiq)`: a method out of
			// view that says it
			return true
		}
		if callee != nil && callee.sum != nil {
			for _, ls := range [][]sumLock{callee.sum.releases, callee.sum.mayRelease} {
				for _, l := range ls {
					if l.class == k.class {
						return true
					}
				}
			}
		}
		return false
	}
	acquires := func(e *parse.Event) bool {
		if e.Kind != parse.EvCall {
			return false
		}
		for _, op := range a.ops(e) {
			if op.class == k.class && (op.kind == opAcquire || op.kind == opTry || op.kind == opTryZero) {
				return true
			}
		}
		if callee := a.c.lookup(e.Callee, a.fi.file); callee != nil && callee.sum != nil {
			for _, ls := range [][]sumLock{callee.sum.acquires, callee.sum.mayAcquire, callee.sum.conditional} {
				for _, l := range ls {
					if l.class == k.class {
						return true
					}
				}
			}
		}
		return false
	}
	fn := a.fn
	// walk scans block b from event i on: true when it reaches r
	seen := make([]bool, len(fn.Blocks))
	var stack []int
	walk := func(b, i int) bool {
		evs := fn.Blocks[b].Events
		for ; i < len(evs); i++ {
			e := &evs[i]
			if releases(e) {
				return false
			}
			if e.Kind == parse.EvReturn {
				return !r.end && e.Pos == r.pos
			}
		}
		if b == fn.Exit {
			return r.end
		}
		for _, s := range fn.Blocks[b].Succs {
			if !seen[s.To] {
				seen[s.To] = true
				stack = append(stack, s.To)
			}
		}
		return false
	}
	for b := range fn.Blocks {
		for i := range fn.Blocks[b].Events {
			if !acquires(&fn.Blocks[b].Events[i]) {
				continue
			}
			if walk(b, i+1) {
				return true
			}
			for len(stack) > 0 {
				next := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if walk(next, 0) {
					return true
				}
			}
		}
	}
	return false
}
