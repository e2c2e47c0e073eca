package check

import (
	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

// What a hunk proves on its own is found by comparing the two sides of a
// patch read as fragments, exit by exit. The engine's part is to say, for
// each function of one side, what state every lock is in at each return
// and goto, which locks the function releases before it takes them (so
// they were held where the fragment starts), and which it takes; and to
// analyze a side with such locks assumed held where the unseen code ends.
// The comparison itself, which needs the diff, is diffscan's.

// LockKey names a lock instance as the engine does.
type LockKey struct {
	Class, Inst string
}

// LockAt is the state of one lock at an exit, over the paths reaching it.
type LockAt struct {
	LockKey
	// Held: held on every path; Released: not held on any; neither: held
	// on some, or not known on some
	Held, Released bool
	// Passed: its object went to code that may have released it
	Passed bool
	// Assumed: held because the analysis assumed it (see ProbeOptions),
	// not because it was taken in view
	Assumed bool
	// Line and Text are where it was last taken or released (0 when not
	// in view)
	Line int
	Text string
}

// ExitAt is a return or a goto of a function.
type ExitAt struct {
	Line, Col int
	// Label is the target of a goto, "" for a return
	Label string
	// Value is what a return gives (normalized), ValueClass what the paths
	// know it to be ("error", "zero", ...; see valueClass)
	Value, ValueClass string
	Locks             []LockAt
}

// FuncLocks is what Probe reports of one function.
type FuncLocks struct {
	File, Name string
	// ReleasedFirst are locks whose first operation on some path is a
	// release: held where the function (or a fragment's piece of it)
	// starts
	ReleasedFirst []LockKey
	// Acquired are the locks the function takes
	Acquired []LockKey
	Exits    []ExitAt
}

// AssumedText is the trace text of a lock held by assumption.
const AssumedText = "held before the hunk"

// ProbeOptions says which locks to assume held, per function name, at its
// entry and wherever the unseen code of a fragment ends (after each
// HavocCallee): a lock the other side of a patch releases before taking it
// was held there, and the code before a hunk is the same on both sides.
type ProbeOptions struct {
	AssumeHeld map[string][]LockKey
}

// Probe runs the engine over files and returns, per function, the lock
// states at its exits, with the findings of the run. Every function is
// analyzed: a side of a patch with no lock operation left is the evidence.
func Probe(set *rules.Set, files []*parse.File, opt ProbeOptions) ([]Finding, []*FuncLocks) {
	c := New(set, files)
	c.assume = opt.AssumeHeld
	c.probes = map[*parse.Function]*FuncLocks{}
	findings := c.Run()
	var out []*FuncLocks
	for _, fi := range c.funcs {
		if fl, ok := c.probes[fi.fn]; ok {
			out = append(out, fl)
		}
	}
	return findings, out
}

// assumeHeld sets the locks assumed held for this function where nothing
// is known of them.
func (a *analysis) assumeHeld(s state) {
	for _, lk := range a.c.assume[a.fn.Name] {
		k := key{class: lk.Class, inst: lk.Inst}
		for _, p := range s {
			if _, known := p.locks.lookup(k); known {
				continue
			}
			p.setLock(k, lockVal{b: bH, site: site{text: AssumedText}})
		}
		// the caller's lock, as far as lock-balance goes: the side's own
		// findings must not change because of the assumption
		a.callerHeld[k] = true
	}
}

// probeExit records the lock states at a return or goto, when probing.
func (a *analysis) probeExit(s state, e *parse.Event) {
	if a.c.probes == nil || !a.rep || len(s) == 0 {
		return
	}
	fl := a.c.probes[a.fn]
	if fl == nil {
		fl = &FuncLocks{File: a.fn.File, Name: a.fn.Name}
		a.c.probes[a.fn] = fl
	}
	x := ExitAt{Line: e.Pos.Line, Col: e.Pos.Col}
	if e.Kind == parse.EvGoto {
		x.Label = e.Label
	} else {
		x.Value, x.ValueClass = e.Value.Norm, a.valueClass(s, e.Value.Norm)
	}
	keys := map[key]bool{}
	for _, p := range s {
		for k := range p.locks.all() {
			keys[k] = true
		}
	}
	for _, k := range sortedKeys(keys) {
		la := LockAt{LockKey: LockKey{Class: k.class, Inst: k.inst}, Held: true, Released: true}
		for _, p := range s {
			v := p.get(k)
			la.Held = la.Held && v.b == bH
			la.Released = la.Released && v.b == bN
			la.Passed = la.Passed || v.passed
			if v.site.text == AssumedText {
				la.Assumed = true
			} else if v.site.text != "" {
				la.Line, la.Text = v.site.pos.Line, v.site.full()
			}
		}
		x.Locks = append(x.Locks, la)
	}
	fl.Exits = append(fl.Exits, x)
}

// finishProbe records what the function takes and releases first.
func (a *analysis) finishProbe() {
	if a.c.probes == nil {
		return
	}
	fl := a.c.probes[a.fn]
	if fl == nil {
		fl = &FuncLocks{File: a.fn.File, Name: a.fn.Name}
		a.c.probes[a.fn] = fl
	}
	assumed := map[key]bool{}
	for _, lk := range a.c.assume[a.fn.Name] {
		assumed[key{class: lk.Class, inst: lk.Inst}] = true
	}
	for _, k := range sortedKeys(a.callerHeld) {
		if !assumed[k] {
			fl.ReleasedFirst = append(fl.ReleasedFirst, LockKey{Class: k.class, Inst: k.inst})
		}
	}
	for _, k := range sortedKeys(a.acquired) {
		fl.Acquired = append(fl.Acquired, LockKey{Class: k.class, Inst: k.inst})
	}
}
