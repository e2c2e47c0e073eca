package check

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/locklint/locklint/parse"
)

// A function that takes a lock, exclusively, while still as its caller
// left it, says its callers must not hold that lock: called with it held,
// it waits for itself. The summary keeps those acquisitions (takes), named
// from the parameters, with where they happen; a caller that holds the
// lock on every path at the call is reported at the acquisition, the line
// a fix changes (a wiphy_lock() added inside a helper whose caller holds
// the wiphy already), with the caller's lock and call as the trace.

// sumTake is an acquisition a function makes, itself or hops calls down.
type sumTake struct {
	class string
	param int // as in sumLock: an argument, or -2 for a global
	path  string
	hops  int
	// where the lock is taken: file, function, position, the call text;
	// via is the chain of calls from the summarized function down to it
	file, fn string
	pos      parse.Pos
	text     string
	via      []Note
}

// through is t as a caller inherits it through call.
func (t sumTake) through(call Note) sumTake {
	t.hops++
	t.via = append([]Note{call}, t.via...)
	return t
}

// maxTakeHops is how many calls below a function an acquisition may be
// for its callers to be checked against it.
const maxTakeHops = 2

// noteTake records an acquisition of k at e by this function, when every
// path reaches it with k untouched, on the function's way in or in a case
// of a switch.
func (a *analysis) noteTake(s state, e *parse.Event, op lockOp) {
	if op.read && op.spin || op.result || op.kind != opAcquire || len(s) == 0 || countingSemaphore(e.Callee) ||
		strings.HasSuffix(e.Callee, "_non_owner") || strings.Contains(e.Callee, "nested") {
		return
	}
	k := key{class: op.class, inst: s[0].resolve(op.inst)}
	if _, done := a.taken[k]; done || unstable(k.inst) {
		return
	}
	for _, p := range s {
		if p.resolve(op.inst) != k.inst {
			return
		}
		if v, explicit := p.locks.lookup(k); explicit && !(v.b == bN && after(v.site.pos, e.Pos)) {
			// (released further on, in the loop around: the last
			// round's unlock; that path took it here all the same)
			return
		}
	}
	if at, _ := a.locate(e); !always(a.fn, at) && !a.unrelatedTests(at, op.inst) {
		// (taken only under a test: `if (!list_empty(&s->list))`,
		// `if (!locked)`; the caller's state may rule that way out)
		return
	}
	a.taken[k] = sumTake{class: k.class, file: a.fn.File, fn: a.fn.Name, pos: e.Pos, text: a.callText(e)}
}

// always tells whether block at of fn runs whenever fn does, but for an
// early error return: on its way in, or a case of a switch that is
// (`case NL80211_IFTYPE_AP: wiphy_lock(...)`: what it takes, it takes for
// every object of those kinds). Not under any other test: the caller's
// state may rule that way out (`if (!list_empty(&s->list))`,
// `if (refcount_dec_not_one(&c->refcount)) return;`).
func always(fn *parse.Function, at int) bool {
	if at < 0 {
		return false
	}
	if wayIn(fn, at, true) {
		return true
	}
	sw := -1
	for _, b := range fn.Blocks {
		for _, s := range b.Succs {
			if s.To != at {
				continue
			}
			if s.Case == "" || s.Case == "default" || sw >= 0 && sw != b.ID {
				return false
			}
			sw = b.ID
		}
	}
	return sw >= 0 && wayIn(fn, sw, true)
}

// after tells whether position p is past q.
func after(p, q parse.Pos) bool {
	return p.Line > q.Line || p.Line == q.Line && p.Col > q.Col
}

// unrelatedTests tells whether every test that may lead around block at
// of fn asks about something other than the lock taken there, a lock of
// a parameter: not its object or what was read from it (`if
// (!list_empty(&s->list))`, `rv = get_addr(ha, off); if (rv == 1)`),
// not a flag parameter (`if (!locked)`), not a global the caller may
// have set, not a lock (`mutex_is_locked()`, `trylock`). Then a caller
// holding the lock cannot rule the way to it out by its state; the
// tests are about other data (`switch (wdev->iftype)` in a loop over
// links, with `continue` for the kinds that need no lock).
func (a *analysis) unrelatedTests(at int, inst string) bool {
	fn := a.fn
	if at < 0 || at >= len(fn.Blocks) {
		return false
	}
	base := rootIdent(inst)
	global := false
	if v, ok := fn.VarType(base); !ok || v.Pointer == 0 || !isParamOf(fn, base) {
		// (a global lock: any test may be the caller's state, but for
		// the failure of a call made here: `if (IS_ERR(kthread))`)
		global = true
	}
	var related map[string]bool
	if !global {
		related = a.relatedTo(base)
	} else {
		// what the caller hands in, and what is computed from it; a
		// global option or a call's answer is not the caller's
		// lock state (`if (!test_bit(OSN_WORKLOAD, &osnoise_options))`)
		related = a.relatedToParams()
	}
	// the blocks that reach at going forward
	preds := a.predecessors()
	reach := make([]bool, len(fn.Blocks))
	reach[at] = true
	work := []int{at}
	for len(work) > 0 {
		x := work[len(work)-1]
		work = work[:len(work)-1]
		for _, p := range preds[x] {
			if reach[p] {
				continue
			}
			for _, s := range fn.Blocks[p].Succs {
				if s.To == x && !s.Back {
					reach[p] = true
					work = append(work, p)
					break
				}
			}
		}
	}
	for _, b := range fn.Blocks {
		if !reach[b.ID] || b.ID == at || !slices.ContainsFunc(b.Succs, func(s parse.Edge) bool { return s.To < 0 || s.To >= len(reach) || !reach[s.To] || s.Back }) {
			continue // (no way around at from here)
		}
		for _, s := range b.Succs {
			c := s.Cond + " " + s.Case
			if strings.Contains(strings.ToLower(c), "lock") {
				return false
			}
			if a.callFailureTest(c) {
				continue
			}
			for _, id := range identsOf(c) {
				if related[id] {
					return false
				}
				if _, ok := fn.VarType(id); !global && !ok && strings.ToUpper(id) != id && !calledIn(c, id) && !cWords[id] {
					return false // (a global)
				}
			}
		}
	}
	return true
}

// callFailureTest tells whether test c asks only about what calls made
// in this function returned (`IS_ERR(kthread)`, `!buf`, `ret < 0` with
// ret = a call's result and never a parameter): how a call fails is not
// its caller's lock state.
func (a *analysis) callFailureTest(c string) bool {
	if a.callResults == nil {
		a.callResults = map[string]bool{}
		for _, b := range a.fn.Blocks {
			for i := range b.Events {
				if e := &b.Events[i]; e.Kind == parse.EvCall && e.Result != "" && !isParamOf(a.fn, e.Result) {
					a.callResults[e.Result] = true
				}
			}
		}
	}
	m := failureShape.FindStringSubmatch(strings.ReplaceAll(strings.TrimSpace(c), " ", ""))
	return m != nil && a.callResults[m[1]]
}

// failureShape is a test of whether a value says a call failed: `ret`,
// `!p`, `IS_ERR(p)`, `unlikely(ret < 0)`, `p == NULL` (not `rv == 1`: a
// value the caller's arguments may pick).
var failureShape = regexp.MustCompile(`^!?\(?(?:(?:unlikely|likely)\()?!?(?:IS_ERR(?:_OR_NULL)?\()?(\w+)\)?(?:<0|!=0|==NULL|!=NULL)?\)?\)?$`)

// relatedToParams are the function's parameters and the variables given
// values read from them (cached).
func (a *analysis) relatedToParams() map[string]bool {
	if a.paramRelated != nil {
		return a.paramRelated
	}
	related := map[string]bool{}
	for _, v := range a.fn.Params {
		related[v.Name] = true
	}
	a.paramRelated = grow(a.fn, related)
	return a.paramRelated
}

// grow adds to related the variables given values that mention one of it.
func grow(fn *parse.Function, related map[string]bool) map[string]bool {
	for changed := true; changed; {
		changed = false
		for _, b := range fn.Blocks {
			for i := range b.Events {
				e := &b.Events[i]
				if e.Kind != parse.EvAssign || related[e.Var] {
					continue
				}
				for _, id := range identsOf(e.Value.Norm) {
					if related[id] {
						related[e.Var], changed = true, true
						break
					}
				}
			}
		}
	}
	return related
}

// relatedTo are base, the function's scalar parameters (flags), and the
// variables given values read from base or from those (cached per base).
func (a *analysis) relatedTo(base string) map[string]bool {
	if r, ok := a.related[base]; ok {
		return r
	}
	fn := a.fn
	related := map[string]bool{base: true}
	for _, v := range fn.Params {
		if v.Pointer == 0 {
			related[v.Name] = true
		}
	}
	related = grow(fn, related)
	if a.related == nil {
		a.related = map[string]map[string]bool{}
	}
	a.related[base] = related
	return related
}

// cWords are the words of C that a test may hold besides names.
var cWords = map[string]bool{"default": true, "sizeof": true, "true": true, "false": true}

// calledIn tells whether identifier id is called in expression text c.
func calledIn(c, id string) bool {
	for i := strings.Index(c, id); i >= 0; {
		j := i + len(id)
		if j < len(c) && c[j] == '(' {
			return true
		}
		k := strings.Index(c[j:], id)
		if k < 0 {
			break
		}
		i = j + k
	}
	return false
}

// checkTakes checks call e to callee against what the callee takes: held
// here on every path, it is a self-deadlock; untouched here, this
// function takes it too, a call further down.
func (a *analysis) checkTakes(s state, e *parse.Event, callee *fnInfo) {
	takes := apiTakes(a.fn, e)
	if callee != nil && takes == nil {
		if callee.sum == nil || callee == a.fi || tableWins(callee.fn.Name) {
			return // (tableWins: the table says what it does, not its body: release_sock())
		}
		takes = callee.sum.takes
	}
	if len(s) == 0 {
		return
	}
	for _, t := range takes {
		if t.param == -2 && t.file != a.fn.File {
			continue // a global of another file may be its own static of that name
		}
		inst, ok := mapInst(t.param, t.path, e)
		if !ok {
			continue
		}
		k := key{class: t.class, inst: s[0].resolve(inst)}
		held, untouched := true, true
		var at lockVal
		for _, p := range s {
			if p.resolve(inst) != k.inst {
				held, untouched = false, false
				break
			}
			v, explicit := p.locks.lookup(k)
			untouched = untouched && !explicit
			held = held && explicit && v.b == bH && v.site.note == "" && !v.passed
			at = v
		}
		call := Note{File: a.fn.File, Line: e.Pos.Line, Note: "calls " + clipNote(a.callText(e))}
		switch {
		case held && a.direct[k] && !a.sema[k]:
			// (taken by a lock call of this function, not assumed from
			// an annotation: `__releases()` says held on the way in)
			tr := []Note{a.note(at.site, "%s takes it here", at.site.full()), call}
			tr = append(tr, t.via...)
			a.c.report(Finding{Rule: "double-acquire", Severity: a.c.sev["double-acquire"], File: t.file, Line: t.pos.Line,
				Column: t.pos.Col, Function: t.fn, Trace: tr,
				Message: fmt.Sprintf("%s takes %s, which %s() already holds when it calls %s()",
					t.text, a.displayInst(k), a.fn.Name, e.Callee)})
		case untouched && t.hops+1 < maxTakeHops && (a.alwaysAt(e) || a.unrelatedAt(e, inst)):
			if _, done := a.taken[k]; !done {
				a.taken[k] = t.through(call)
			}
		}
	}
}

// unrelatedAt tells whether the tests on the way to e are about other
// things than the lock inst (see unrelatedTests).
func (a *analysis) unrelatedAt(e *parse.Event, inst string) bool {
	at, _ := a.locate(e)
	return a.unrelatedTests(at, inst)
}

// takingAPIs are kernel functions that take a lock inside, whatever their
// definition in view: the static key API and stop_machine() take the CPU
// hotplug lock (their `_cpuslocked` variants are for callers that hold
// it), register_netdev() and unregister_netdev() the RTNL.
var takingAPIs = map[string][2]string{
	"static_key_enable": {"cpu_hotplug", ""}, "static_key_disable": {"cpu_hotplug", ""},
	"static_key_slow_inc": {"cpu_hotplug", ""}, "static_key_slow_dec": {"cpu_hotplug", ""},
	"static_branch_enable": {"cpu_hotplug", ""}, "static_branch_disable": {"cpu_hotplug", ""},
	"static_branch_inc": {"cpu_hotplug", ""}, "static_branch_dec": {"cpu_hotplug", ""},
	"stop_machine": {"cpu_hotplug", ""}, "cpuhp_setup_state": {"cpu_hotplug", ""},
	"cpuhp_setup_state_nocalls": {"cpu_hotplug", ""}, "cpuhp_remove_state": {"cpu_hotplug", ""},
	"cpuhp_remove_state_nocalls": {"cpu_hotplug", ""},
	"register_netdev":            {"rtnl_mutex", "rtnl_mutex"}, "unregister_netdev": {"rtnl_mutex", "rtnl_mutex"},
}

// apiTakes is what a call to a takingAPIs function takes, as a summary
// would say it, placed at the call.
func apiTakes(fn *parse.Function, e *parse.Event) []sumTake {
	l, ok := takingAPIs[e.Callee]
	if !ok {
		return nil
	}
	return []sumTake{{class: l[0], param: -2, path: l[1], file: fn.File, fn: fn.Name, pos: e.Pos,
		text: e.Callee + "()"}}
}

// alwaysAt tells whether e runs whenever the function does (see always).
func (a *analysis) alwaysAt(e *parse.Event) bool {
	at, _ := a.locate(e)
	return always(a.fn, at)
}

// summarizeTakes names the function's acquisitions from its interface.
func (a *analysis) summarizeTakes() {
	for _, k := range sortedKeys(a.taken) {
		t := a.taken[k]
		param, path, ok := paramOf(a.fn, k.inst)
		if k.inst == "" {
			param, path, ok = -2, "", true // (a class of one lock: cpus_read_lock())
		}
		if !ok {
			continue
		}
		t.param, t.path = param, path
		a.sum.takes = append(a.sum.takes, t)
	}
}

// quickTakes is the takes part of the summary of a function the dataflow
// skips: it holds nothing, so what its callees take, it takes.
func (c *Checker) quickTakes(fi *fnInfo) []sumTake {
	var out []sumTake
	var tests *analysis // (for unrelatedTests, made when needed)
	taking := map[string]*fnInfo{}
	for _, callee := range c.callees(fi) {
		if callee != fi && callee.sum != nil && len(callee.sum.takes) > 0 {
			taking[callee.fn.Name] = callee
		}
	}
	for _, b := range fi.fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			if e.Kind != parse.EvCall {
				continue
			}
			takes := apiTakes(fi.fn, e)
			table := takes != nil
			if callee := taking[e.Callee]; !table && callee != nil {
				takes = callee.sum.takes
			}
			for _, t := range takes {
				inst, ok := mapInst(t.param, t.path, e)
				if !ok || t.hops+1 >= maxTakeHops {
					continue
				}
				if !always(fi.fn, b.ID) {
					if tests == nil {
						tests = &analysis{c: c, fi: fi, fn: fi.fn}
					}
					if !tests.unrelatedTests(b.ID, inst) {
						continue
					}
				}
				param, path, ok := paramOf(fi.fn, inst)
				if inst == "" {
					param, path, ok = -2, "", true
				}
				if !ok || hasTake(out, t.class, param, path) {
					continue
				}
				u := t
				if !table {
					u = t.through(Note{File: fi.fn.File, Line: e.Pos.Line, Note: "calls " + clipNote(e.Callee+"("+argText(e)+")")})
				}
				u.param, u.path = param, path
				out = append(out, u)
			}
		}
	}
	return out
}

func hasTake(ts []sumTake, class string, param int, path string) bool {
	for _, t := range ts {
		if t.class == class && t.param == param && t.path == path {
			return true
		}
	}
	return false
}
