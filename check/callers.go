package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

// Callers as evidence. A function that returns with a lock held on some
// paths is reported (lock-balance) only after every function in scope is
// summarized: a caller that releases the lock it got from the function,
// directly or through callers that hand it up, or another function that
// releases that lock for its caller (the commit half of a reserve/commit
// pair), says that keeping it on a success return is the function's
// interface.

type upEdge struct {
	to    *fnInfo
	class string
}

// passUp notes that fi returns, held, a lock of class that a callee's
// summary gave it (v's site is the call).
func (c *Checker) passUp(file string, v lockVal, fi *fnInfo, class string) {
	if c.gaveAt == nil {
		return
	}
	f := c.gaveAt[siteKey{file, v.site.pos}]
	if f == nil || f == fi {
		return
	}
	if c.up == nil {
		c.up = map[*fnInfo][]upEdge{}
	}
	c.up[f] = append(c.up[f], upEdge{fi, class})
}

// releasedBy tells whether a caller of fi, or of the functions that hand
// fi's lock up, releases the lock of class.
func (c *Checker) releasedBy(fi *fnInfo, class string, seen map[*fnInfo]bool) bool {
	if c.released[fi][class] {
		return true
	}
	if seen[fi] {
		return false
	}
	seen[fi] = true
	for _, u := range c.up[fi] {
		if u.class == class && c.releasedBy(u.to, class, seen) {
			return true
		}
	}
	return false
}

type siteKey struct {
	file string
	pos  parse.Pos
}

type pendingBalance struct {
	f       Finding
	fi      *fnInfo
	class   string
	success bool // the return keeping the lock gives a success value
	// beginOnly: the function takes the lock (on some paths) and never
	// releases it itself, the first half of a begin/end pair
	// (oops_begin(), whose nested call finds it held already)
	beginOnly bool
}

// releaser notes that fi releases a lock of class that its caller holds
// (`vmw_fifo_commit()`, `tpm_put_ops()`).
func (c *Checker) releaser(class string, fi *fnInfo) {
	if c.releasers == nil {
		c.releasers = map[string][]*fnInfo{}
	}
	c.releasers[class] = append(c.releasers[class], fi)
}

// pairedRelease tells whether a function other than fi releases a lock
// of class held by its caller: the other half of an API that fi begins.
func (c *Checker) pairedRelease(fi *fnInfo, class string) bool {
	for _, r := range c.releasers[class] {
		if r != fi {
			return true
		}
	}
	return false
}

// gave records that the call at pos, in caller, got locks from callee's
// summary.
func (c *Checker) gave(file string, pos parse.Pos, caller, callee *fnInfo) {
	if c.gaveAt == nil {
		c.gaveAt = map[siteKey]*fnInfo{}
		c.callers = map[*fnInfo][]*fnInfo{}
	}
	c.gaveAt[siteKey{file, pos}] = callee
	if caller != nil && !slices.Contains(c.callers[callee], caller) {
		c.callers[callee] = append(c.callers[callee], caller)
	}
}

// releasedFrom notes a release of a held lock that a callee's summary
// gave: the callee returning it held is its interface, as its caller uses
// it.
func (c *Checker) releasedFrom(file string, v lockVal, class string) {
	if v.b&bH == 0 || c.gaveAt == nil {
		return
	}
	f := c.gaveAt[siteKey{file, v.site.pos}]
	if f == nil {
		return
	}
	if c.released == nil {
		c.released = map[*fnInfo]map[string]bool{}
	}
	if c.released[f] == nil {
		c.released[f] = map[string]bool{}
	}
	c.released[f][class] = true
}

// callerEvidence reports the lock-balance findings on locks that callers
// can see, unless a caller in view releases the lock the function
// returned with: then keeping it on some returns is the function's
// interface (vmw_fifo_reserve() and vmw_fifo_commit(), tpm_try_get_ops()
// and tpm_put_ops()), however its return values read.
func (c *Checker) callerEvidence() {
	for _, p := range c.pending {
		if (p.success || p.beginOnly) && c.pairedRelease(p.fi, p.class) {
			// kept where it succeeds, or by a function that only ever
			// takes it, and another function releases the lock its
			// caller holds (vmw_fifo_reserve() and commit(), oops_begin()
			// and oops_end())
			continue
		}
		if !p.success || !c.releasedBy(p.fi, p.class, map[*fnInfo]bool{}) {
			c.report(p.f)
		}
	}
	c.pending = nil
	for _, p := range c.apis {
		if c.handed[p.fi] || c.releasedBy(p.fi, p.class, map[*fnInfo]bool{}) || c.pairedRelease(p.fi, p.class) {
			continue
		}
		rs := c.receivers(p.fi, p.class)
		if len(rs) > 0 && !slices.ContainsFunc(rs, func(f *fnInfo) bool { return c.releasesOthers(f, p.class) }) {
			c.report(p.f)
		}
	}
	c.apis = nil
}

// releasesOthers tells whether fi releases a lock of class, or of a
// class it never takes itself: it ends what someone else began (a
// caller, or a callee that handed the lock out, under whatever name).
// Read from the calls, by the table and by name, as the dataflow may
// have skipped fi.
func (c *Checker) releasesOthers(fi *fnInfo, class string) bool {
	return c.releasesOthersDepth(fi, class, 2, true)
}

// releasesOthersDepth is releasesOthers of fi or, depth calls down, of
// a function it calls that releases a lock it does not take (a caller
// of the API may end it through a helper, drm_dev_exit()).
func (c *Checker) releasesOthersDepth(fi *fnInfo, class string, depth int, direct bool) bool {
	if depth > 0 {
		for _, callee := range c.callees(fi) {
			if c.releasesOthersDepth(callee, class, depth-1, false) {
				return true
			}
		}
	}
	rel, acq := map[string]bool{}, map[string]bool{}
	ty := &typer{fn: fi.fn, structs: c.structs}
	for _, b := range fi.fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			if e.Kind != parse.EvCall {
				continue
			}
			ops := c.rec.ops(e, ty.typeOf)
			if op, ok := nameOp(e.Callee); ok && len(ops) == 0 {
				ops = []lockOp{op}
			}
			for _, op := range ops {
				switch op.kind {
				case opRelease:
					rel[op.class] = true
				case opAcquire, opTry, opTryZero:
					acq[op.class] = true
				}
			}
		}
	}
	if direct && rel[class] {
		// the API's own class, under whatever name (in a callee, one
		// that takes and drops it itself does not count)
		return true
	}
	for cl := range rel {
		if !acq[cl] {
			return true
		}
	}
	return false
}

// handedOut notes that a lock a callee's summary gave (v's site is the
// call) leaves this function held with the object it returns: the
// lock goes on with the object, where the callers' evidence cannot
// follow it.
func (c *Checker) handedOut(file string, v lockVal) {
	if c.gaveAt == nil {
		return
	}
	if f := c.gaveAt[siteKey{file, v.site.pos}]; f != nil {
		if c.handed == nil {
			c.handed = map[*fnInfo]bool{}
		}
		c.handed[f] = true
	}
}

// receivers are the functions in view that get a lock of class from
// fi's summary at a call, and those they hand it up to.
func (c *Checker) receivers(fi *fnInfo, class string) []*fnInfo {
	var out []*fnInfo
	seen := map[*fnInfo]bool{}
	var add func(f *fnInfo)
	add = func(f *fnInfo) {
		if seen[f] {
			return
		}
		seen[f] = true
		out = append(out, f)
		for _, u := range c.up[f] {
			if u.class == class {
				add(u.to)
			}
		}
	}
	for _, f := range c.callers[fi] {
		add(f)
	}
	return out
}

// unconfirmedAPI notes a function that takes k itself and keeps it only
// on the returns whose value tells the caller so (a lookup returning the
// object it found, locked): the shape of a conditional-acquire API, and
// of an unlock forgotten on the found path alike. The callers decide
// (callerEvidence): when some in view get the lock from it, and none of
// them, nor those they hand it up to, releases a lock it did not take
// itself (as a user of the API would, under whatever name), the lock is
// kept for no one.
func (a *analysis) unconfirmedAPI(k key, held retSnap, released []retSnap) {
	if !a.direct[k] || a.fi == nil {
		return
	}
	if _, path, ok := paramOf(a.fn, k.inst); !ok || path == "" {
		return // (a lock the caller hands in bare knows what it asked for)
	}
	for _, an := range a.fn.Annotations {
		if strings.Contains(an.Kind, "acquires") {
			return // declared: `__acquires(&ioat_chan->prep_lock)`
		}
	}
	rel := released[0]
	for _, r := range released {
		if !r.end {
			rel = r
			break
		}
	}
	f := Finding{Rule: "lock-balance", Severity: rules.Warning, File: a.fn.File, Line: held.pos.Line, Column: held.pos.Col, Function: a.fn.Name,
		Message: fmt.Sprintf("%s (%s) is still held at this return and released at line %d; the value tells the caller which, but no caller in view ever releases it",
			a.displayInst(k), k.class, rel.pos.Line),
		Trace: a.takenAt(k, "")}
	a.c.apis = append(a.c.apis, pendingBalance{f: f, fi: a.fi, class: k.class})
}

type privKey struct {
	file *parse.File
	name string
}

// privateLock tells whether k is a lock fi's file defines for itself
// (`static DEFINE_SPINLOCK(freezer_lock)`) that no function of the file
// releases without taking it first. Then no caller can release it for
// fi: a function that returns it held on some paths leaks it there,
// whatever its value says (freeze_task() returning false).
func (c *Checker) privateLock(fi *fnInfo, k key) bool {
	f := fi.file
	if f == nil || !slices.Contains(f.StaticLocks, k.inst) {
		return false
	}
	pk := privKey{f, k.inst}
	if v, ok := c.private[pk]; ok {
		return v
	}
	private := true
	for _, fn := range f.Functions {
		takes, drops := false, false
		for _, b := range fn.Blocks {
			for i := range b.Events {
				e := &b.Events[i]
				if e.Kind != parse.EvCall || len(e.Args) == 0 || e.Args[0].Norm != k.inst {
					continue
				}
				op, ok := genericOps[e.Callee]
				switch {
				case !ok && c.lockishName(e.Callee):
					// a helper of its own that the table does not know
					// may drop it for its callers
					drops = true
				case !ok:
				case op.kind == opAcquire || op.kind == opTry || op.kind == opTryZero:
					takes = true
				case op.kind == opRelease:
					drops = true
				}
			}
		}
		if drops && !takes {
			private = false
			break
		}
	}
	if c.private == nil {
		c.private = map[privKey]bool{}
	}
	c.private[pk] = private
	return private
}
