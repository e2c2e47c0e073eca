package check

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

// Checker runs a rule set over a group of files analyzed together: calls
// between their functions are followed through summaries.
type Checker struct {
	set    *rules.Set
	rec    *recognizer
	active []*rules.Rule
	// reads: the active guarded rules that cover reads (readRules);
	// called: the functions something in view calls (calledInView)
	reads  []*rules.Rule
	called map[*fnInfo]bool
	sev    map[string]rules.Severity // built-in severities

	files   []*parse.File
	structs map[string]map[string]parse.Var
	funcs   []*fnInfo
	byName  map[string][]*fnInfo

	findings map[string]*Finding
	// ruleCallees names the callees the active rules' call patterns name
	// (calls, firsts, publish, instance-from, fresh); ruleWild is set when
	// one has a `*`. A call to any other callee matches no rule.
	ruleCallees map[string]bool
	names       map[string]nameInfo // see nameInfo
	ruleWild    bool
	// gaveUp counts functions whose dataflow did not settle in budget
	gaveUp int
	// orderAt records, per pair of classes, where the second was taken
	// while the first was held
	orderAt map[[2]string][]orderSite
	// sleep caches the sleep checker's per-function work (sleep.go)
	sleep *sleepCache
	// assume and probes serve Probe (hunkproof.go): locks assumed held,
	// and the lock states at each function's exits
	assume map[string][]LockKey
	probes map[*parse.Function]*FuncLocks
	// callers' evidence on functions that return a lock held on some
	// paths (callerEvidence): where each call got a lock from a callee,
	// which classes callers then released, and the findings waiting
	gaveAt   map[siteKey]*fnInfo
	released map[*fnInfo]map[string]bool
	pending  []pendingBalance
	apis     []pendingBalance      // conditional-acquire shapes for callers to confirm (callerEvidence)
	callers  map[*fnInfo][]*fnInfo // the functions whose calls got locks from each (gave)
	handed   map[*fnInfo]bool      // whose lock a caller hands out with an object it returns (handedOut)
	// up: the callers that return a callee's lock to their own callers
	up map[*fnInfo][]upEdge
	// waits: timer and work callbacks, and the locks functions take
	// (waits.go)
	waits *waitData
	// releasers: per class, the functions that release a lock of it
	// their caller holds
	releasers map[string][]*fnInfo
	// private: per file and static lock, whether the lock has no
	// releaser in the file (privateLock)
	private map[privKey]bool
	// spinClasses are, per file, the classes its functions take with
	// spinning primitives only (spinClass)
	spinClasses map[*parse.File]map[string]bool
}

// maxOrderSites bounds the functions recorded for one pair of classes.
const maxOrderSites = 4

type orderSite struct {
	file, fn string
	pos      parse.Pos
	text     string
	// shared: one of the two is an rwlock's read side (readers nest,
	// lockdep's recursive read); others: the global locks also held there
	shared bool
	others []string
}

type fnInfo struct {
	fn   *parse.Function
	file *parse.File
	sum  *summary
	busy bool
	// named are the lock helpers the function takes and drops by name
	// (namedPairs), computed once
	named map[string]bool
	// sleepless: no call in the function may sleep (found by
	// sleepRelevant)
	sleepless bool
	// calls are the functions in the input it calls (callees), once
	// callsKnown
	calls      []*fnInfo
	callsKnown bool
	// flow: the atomic sections open before each call (flowOf), once
	// flowKnown
	flow      *secFlow
	flowKnown bool
	// opens: opensSection, once (0 not asked, 1 yes, 2 no); closed:
	// closedKinds, once
	opens  int8
	closed *[4]bool
	// fields: flags kept in structs (fieldflags.go)
	fields fieldInfo
}

// Run checks files with set and returns the findings, sorted.
func Run(set *rules.Set, files []*parse.File) []Finding {
	c := New(set, files)
	return c.Run()
}

// New prepares a checker over files.
func New(set *rules.Set, files []*parse.File) *Checker {
	c := &Checker{set: set, rec: newRecognizer(set), files: files, structs: map[string]map[string]parse.Var{},
		byName: map[string][]*fnInfo{}, findings: map[string]*Finding{}, orderAt: map[[2]string][]orderSite{},
		sev: map[string]rules.Severity{}}
	c.rec.defined = c.byName
	// the names rules are conditioned on (When), and which of them the
	// input calls
	idents := map[string]bool{}
	for _, r := range set.Rules {
		for _, w := range r.When {
			idents[w] = false
		}
	}
	for _, f := range files {
		for name, fields := range f.Structs {
			c.structs[name] = fields
		}
		for _, fn := range f.Functions {
			fi := &fnInfo{fn: fn, file: f}
			c.funcs = append(c.funcs, fi)
			c.byName[fn.Name] = append(c.byName[fn.Name], fi)
			for _, b := range fn.Blocks {
				for i := range b.Events {
					if e := &b.Events[i]; e.Kind == parse.EvCall {
						if _, ok := idents[e.Callee]; ok {
							idents[e.Callee] = true
						}
					}
				}
			}
		}
	}
	for _, r := range set.Rules {
		if r.Kind == rules.KindBuiltin {
			c.sev[r.ID] = r.Severity
			continue
		}
		if applies(r, idents) {
			c.active = append(c.active, r)
		}
	}
	for _, b := range rules.Builtins {
		if _, ok := c.sev[b.ID]; !ok {
			c.sev[b.ID] = b.Severity
		}
	}
	c.reads = readRules(c.active)
	c.ruleCallees = map[string]bool{}
	for _, r := range c.active {
		for _, ps := range [][]rules.Pattern{r.Calls, r.First, r.Publish, r.InstanceFrom, r.Fresh} {
			for _, p := range ps {
				if strings.Contains(p.Callee, "*") {
					c.ruleWild = true
				}
				c.ruleCallees[p.Callee] = true
			}
		}
	}
	return c
}

// ruleCallee tells whether some active rule's pattern may match a call to
// callee.
func (c *Checker) ruleCallee(callee string) bool { return c.ruleWild || c.ruleCallees[callee] }

// applies tells whether a rule's era gate passes: one of its When
// identifiers is called somewhere in the input.
func applies(r *rules.Rule, idents map[string]bool) bool {
	if len(r.When) == 0 {
		return true
	}
	for _, w := range r.When {
		if idents[w] {
			return true
		}
	}
	return false
}

// lookup resolves a callee name to the function it calls: a static
// function of the caller's file first, then any non-static one.
func (c *Checker) lookup(name string, from *parse.File) *fnInfo {
	var global, header *fnInfo
	headers := 0
	for _, fi := range c.byName[name] {
		if fi.file == from {
			return fi
		}
		switch {
		case !fi.fn.Static:
			if global == nil {
				global = fi
			}
		case strings.HasSuffix(fi.fn.File, ".h"):
			// a static inline helper of a header in the input is seen by
			// every file that may include it, when no other header
			// defines the name differently (per-architecture variants)
			header = fi
			headers++
		}
	}
	if global == nil && headers == 1 {
		return header
	}
	return global
}

// Run analyzes every function, callees before callers.
func (c *Checker) Run() []Finding {
	for _, fi := range c.funcs {
		c.summarize(fi)
	}
	c.callerEvidence()
	c.reportOrderInversions()
	c.reportSectionLeaks()
	out := make([]Finding, 0, len(c.findings))
	for _, f := range c.findings {
		out = append(out, *f)
	}
	Sort(out)
	return out
}

// summarize analyzes fi after the functions it calls, depth first; a
// call back into a function being analyzed sees no summary, which is how
// recursion stays finite. The walk of the call graph keeps its own stack
// (a chain of calls through thousands of functions must not grow the Go
// stack with it); each frame is a function and the event it resumes at.
func (c *Checker) summarize(fi *fnInfo) *summary {
	if fi.sum != nil || fi.busy {
		return fi.sum
	}
	type frame struct {
		fi   *fnInfo
		next int // index in c.callees(fi)
	}
	fi.busy = true
	stack := []frame{{fi: fi}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		// the next callee of top that still needs its summary
		var next *fnInfo
		callees := c.callees(top.fi)
		for next == nil && top.next < len(callees) {
			if callee := callees[top.next]; callee.sum == nil && !callee.busy {
				next = callee
			}
			top.next++
		}
		if next != nil {
			next.busy = true
			stack = append(stack, frame{fi: next})
			continue
		}
		done := top.fi
		stack = stack[:len(stack)-1]
		if !c.relevant(done) {
			done.sum = c.quickSummary(done)
		} else {
			done.sum = newAnalysis(c, done).run()
		}
		done.busy = false
	}
	return fi.sum
}

// callees lists the functions in the input that fi calls, other than
// itself, each once, in the order of their first call.
func (c *Checker) callees(fi *fnInfo) []*fnInfo {
	if fi.callsKnown {
		return fi.calls
	}
	var out []*fnInfo
	last := ""
	var asked map[string]bool // (names looked up already, once there are many)
	for _, b := range fi.fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			if e.Kind != parse.EvCall || e.Callee == last {
				continue
			}
			last = e.Callee
			if asked != nil {
				if asked[e.Callee] {
					continue
				}
				asked[e.Callee] = true
			}
			if callee := c.lookup(e.Callee, fi.file); callee != nil && callee != fi && !slices.Contains(out, callee) {
				out = append(out, callee)
				if len(out) == 16 && asked == nil {
					asked = map[string]bool{}
					for _, o := range out {
						asked[o.fn.Name] = true
					}
				}
			}
		}
	}
	fi.calls, fi.callsKnown = out, true
	return out
}

// relevant tells whether a function does anything the engine tracks: a
// lock operation, a call to a function with a lock effect or a
// requirement, a call or write a rule looks at, a lock annotation. Most
// functions do not, and need no dataflow.
func (c *Checker) relevant(fi *fnInfo) bool {
	fn := fi.fn
	if len(fn.Annotations) > 0 || c.probes != nil {
		return true
	}
	// a callee in the input with a lock effect (each callee once)
	for _, callee := range c.callees(fi) {
		if callee.sum != nil && callee.sum.effective() {
			return true
		}
	}
	ty := &typer{fn: fn, structs: c.structs}
	for _, b := range fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			switch e.Kind {
			case parse.EvScopeEnd:
				return true
			case parse.EvCall:
				if len(c.rec.ops(e, ty.typeOf)) > 0 {
					return true
				}
				if _, ok := nameOp(e.Callee); ok && c.namedPairs(fi)[e.Callee] {
					return true
				}
				if c.ruleCallee(e.Callee) {
					for _, r := range c.active {
						if matchAny(r.Calls, e) || matchAny(r.First, e) {
							return true
						}
					}
				}
			case parse.EvWrite:
				if len(e.Fields) > 0 && c.guardedField(e, ty) {
					return true
				}
			}
		}
	}
	if c.readsGuarded(fi) {
		return true
	}
	// last, as the dearest test
	return c.sleepRelevant(fi)
}

func (c *Checker) guardedField(e *parse.Event, ty *typer) bool {
	field := e.Field()
	base := strings.TrimSuffix(strings.TrimSuffix(e.LHS.Norm, "->"+field), "."+field)
	var bt string
	for _, r := range c.active {
		if r.Kind != rules.KindGuarded {
			continue
		}
		if bt == "" {
			bt = ty.typeOf(base) + "." + field
		}
		if contains(r.Fields, bt) {
			return true
		}
	}
	return false
}

// effective tells whether a summary changes anything for callers.
func (s *summary) effective() bool {
	return len(s.acquires)+len(s.mayAcquire)+len(s.releases)+len(s.mayRelease)+len(s.conditional)+len(s.needs)+len(s.unnamed)+len(s.asserts) > 0
}

// quickSummary is the summary of a function with nothing to track: only
// which parameters it hands to code that is not analyzed.
func (c *Checker) quickSummary(fi *fnInfo) *summary {
	s := &summary{sleeps: c.quickSleeps(fi), alwaysZero: returnsOnlyZero(fi.fn), takes: c.quickTakes(fi)}
	if len(fi.fn.Params) == 0 {
		return s
	}
	param := func(name string) (int, bool) {
		// (the last of a repeated name, as a map built in order keeps)
		for i := len(fi.fn.Params) - 1; i >= 0; i-- {
			if fi.fn.Params[i].Name == name {
				return i, true
			}
		}
		return -1, false
	}
	for _, b := range fi.fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			if e.Kind != parse.EvCall || len(e.Args) == 0 {
				continue
			}
			var callee *fnInfo
			looked := false
			passes := 0 // c.passesLock(e), asked once: 1 no, 2 yes
			for k, arg := range e.Args {
				pi, ok := param(rootIdent(arg.Norm))
				if !ok || containsInt(s.passes, pi) {
					continue
				}
				if !looked {
					callee, looked = c.lookup(e.Callee, fi.file), true
				}
				if callee == nil && passes == 0 {
					passes = 1
					if c.passesLock(e) {
						passes = 2
					}
				}
				if callee == nil && passes == 2 || callee != nil && (callee.sum == nil || containsInt(callee.sum.passes, k)) {
					s.passes = append(s.passes, pi)
				}
			}
		}
	}
	return s
}

// report adds a finding, keeping one per rule and place: the most
// severe, and among equally severe ones the first in message and trace
// order, so that which one is kept never depends on the order the engine
// met them in.
func (c *Checker) report(f Finding) {
	k := f.Rule + "\x00" + f.File + ":" + strconv.Itoa(f.Line) + ":" + strconv.Itoa(f.Column)
	if old, ok := c.findings[k]; ok {
		if r, o := f.Severity.Rank(), old.Severity.Rank(); r > o || r == o && before(&f, old) {
			c.findings[k] = &f
		}
		return
	}
	c.findings[k] = &f
}

// before orders two findings of one rule and place by message, function,
// then trace.
func before(a, b *Finding) bool {
	if a.Message != b.Message {
		return a.Message < b.Message
	}
	if a.Function != b.Function {
		return a.Function < b.Function
	}
	for i := 0; i < len(a.Trace) && i < len(b.Trace); i++ {
		x, y := a.Trace[i], b.Trace[i]
		switch {
		case x.File != y.File:
			return x.File < y.File
		case x.Line != y.Line:
			return x.Line < y.Line
		case x.Note != y.Note:
			return x.Note < y.Note
		}
	}
	return len(a.Trace) < len(b.Trace)
}

func (c *Checker) reportOrderInversions() {
	// a class whose type is not known ("?.back_lock"), or is named after
	// the field it is reached through ("session.back_lock" from
	// `conn->session->back_lock` when struct iscsi_conn is not in the
	// input), is the one class of a declared type with that lock field
	// (iscsi_session.back_lock); an unknown type with none, or several,
	// stays out of the graph
	declared := map[string]bool{}
	for _, fi := range c.funcs {
		for _, v := range fi.fn.Params {
			declared[v.Type] = true
		}
		for _, v := range fi.fn.Locals {
			declared[v.Type] = true
		}
	}
	for f := range c.structs {
		declared[f] = true
	}
	byField := map[string][]string{}
	for p := range c.orderAt {
		for _, cl := range p {
			if i := strings.LastIndexByte(cl, '.'); i > 0 && declared[cl[:i]] && !slices.Contains(byField[cl[i+1:]], cl) {
				byField[cl[i+1:]] = append(byField[cl[i+1:]], cl)
			}
		}
	}
	named := func(cl string) (string, bool) {
		i := strings.LastIndexByte(cl, '.')
		if i < 0 {
			return cl, true
		}
		unknown := cl[:i] == "?"
		if !unknown && (declared[cl[:i]] || !strings.Contains(cl[i+1:], "_")) {
			return cl, true
		}
		if ks := byField[cl[i+1:]]; len(ks) == 1 {
			return ks[0], true
		}
		return cl, !unknown
	}
	order := map[[2]string][]orderSite{}
	for _, p := range sortedPairs(c.orderAt) {
		a, ok1 := named(p[0])
		b, ok2 := named(p[1])
		if !ok1 || !ok2 || a == b {
			continue
		}
		order[[2]string{a, b}] = append(order[[2]string{a, b}], c.orderAt[p]...)
	}
	for _, p := range sortedPairs(order) {
		revs := order[[2]string{p[1], p[0]}]
		// the first site of this order that some site of the other
		// deadlocks with, and every such site of the other: readers of an
		// rwlock do not wait for each other, and a lock both sites hold
		// besides lets only one of them in
		for _, at := range order[p] {
			var with []orderSite
			for _, rev := range revs {
				if !at.shared && !rev.shared && !gated(at.others, rev.others, named) {
					with = append(with, rev)
				}
			}
			if len(with) == 0 {
				continue
			}
			rev := with[0]
			msg := fmt.Sprintf("%s taken while holding %s, but %s takes them the other way round", p[1], p[0], rev.fn)
			if len(with) > 1 {
				msg = fmt.Sprintf("%s taken while holding %s, but %s and %d more take them the other way round", p[1], p[0], rev.fn, len(with)-1)
			}
			var tr []Note
			for _, r := range with {
				tr = append(tr, Note{File: r.file, Line: r.pos.Line, Note: fmt.Sprintf("%s takes %s while holding %s: %s", r.fn, p[0], p[1], r.text)})
			}
			c.report(Finding{Rule: "order-inversion", Severity: c.sev["order-inversion"], Message: msg,
				File: at.file, Line: at.pos.Line, Column: at.pos.Col, Function: at.fn, Trace: tr})
			break
		}
	}
}

// sortedPairs are m's pairs of classes by first class, then second
// (comparing the concatenations would tie ("ab","c") with ("a","bc") and
// leave their order to the map's).
func sortedPairs(m map[[2]string][]orderSite) [][2]string {
	pairs := slices.Collect(maps.Keys(m))
	slices.SortFunc(pairs, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	return pairs
}

// gated tells whether two acquisition sites hold a lock of one class
// besides the pair: the outer lock serializes them.
func gated(a, b []string, named func(string) (string, bool)) bool {
	for _, x := range a {
		x, ok := named(x)
		if !ok {
			continue
		}
		for _, y := range b {
			if y, ok := named(y); ok && x == y {
				return true
			}
		}
	}
	return false
}

// summary is what callers learn about a function.
type summary struct {
	acquires   []sumLock // held on every return, taken inside
	mayAcquire []sumLock // held on some returns
	releases   []sumLock // released inside, taken by the caller
	mayRelease []sumLock // released on some paths
	// conditional locks are held when the function reports success
	// (non-zero for a trylock-style API, zero for a killable-style one)
	conditional []sumLock
	// passes lists the parameters whose objects go to code that is not
	// analyzed (calls through pointers, other files): it may lock them
	passes []int
	// alwaysZero: every return gives 0 (the caller's `if (ret)` is dead)
	alwaysZero bool
	// unnamed are the classes of the caller's locks it releases through
	// an object its interface does not name
	unnamed []string
	needs   []need
	// asserts are the locks it asserts held on the way in without taking
	// them: its callers' to hold (asserted.go)
	asserts []assertion
	// sleeps says where the function may sleep outside an atomic section
	// of its own (sleep.go)
	sleeps []sleepFact
	// takes are the locks it takes as its caller left them (takes.go)
	takes []sumTake
}

// maxReleaseHops bounds how far up a may-release found in a callee is
// handed on.
const maxReleaseHops = 3

// sumLock is a lock named relative to the function's interface: argument
// param (or -1 for the return value, -2 for a global), then path.
type sumLock struct {
	notes *lockNotes
	hops  int    // for a may-release handed up from callees: calls down
	kind  opKind // for conditional locks: opTry or opTryZero
	class string
	param int
	path  string
	spin  bool
	text  string
}

// lockNotes are a summary lock's trace notes, built once.
type lockNotes struct {
	takes, mayTake, releases, releasesOnFailure, holdsOnSuccess, mayRelease string
}

// need is a requirement a function could not meet itself: its caller must
// hold one of classes (on the instance param+path, if param >= -2 and
// instance is set).
type need struct {
	rule     *rules.Rule
	classes  []string
	instance bool
	param    int
	path     string
	// objParam (and objPath) locate, for a guarded write, the object
	// written: a caller passing a private object needs no lock (-1: none)
	objParam int
	objPath  string
	// where the requirement arises, and how it got here
	file, fn string
	pos      parse.Pos
	msg      string
	trace    []Note
}

// mapInst turns an object path of a callee's interface into the caller's
// instance expression for a call.
func mapInst(param int, path string, e *parse.Event) (string, bool) {
	switch {
	case param >= 0:
		if param >= len(e.Args) {
			return "", false
		}
		return e.Args[param].Norm + path, true
	case param == -2:
		return path, true
	}
	return "", false
}

// paramOf expresses an object path relative to fn's parameters.
func paramOf(fn *parse.Function, inst string) (int, string, bool) {
	i := 0
	for i < len(inst) && isIdentByte(inst[i]) {
		i++
	}
	if i == 0 || strings.HasPrefix(inst, "@") || strings.HasPrefix(inst, "?") || strings.ContainsRune(inst, '(') {
		return 0, "", false // an accessor's object (`EXT4_SB(sb)->lock`): not mapped to callers
	}
	root := inst[:i]
	for k, p := range fn.Params {
		if p.Name == root {
			return k, inst[i:], true
		}
	}
	if _, local := fn.VarType(root); local {
		return 0, "", false
	}
	return -2, inst, true // a global
}
