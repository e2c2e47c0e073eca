package check

import (
	"slices"

	"github.com/locklint/locklint/parse"
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

// gave records that the call at pos got locks from callee's summary.
func (c *Checker) gave(file string, pos parse.Pos, callee *fnInfo) {
	if c.gaveAt == nil {
		c.gaveAt = map[siteKey]*fnInfo{}
	}
	c.gaveAt[siteKey{file, pos}] = callee
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
		if p.success && c.pairedRelease(p.fi, p.class) {
			// kept where it succeeds, and another function releases the
			// lock its caller holds (vmw_fifo_reserve() and commit())
			continue
		}
		if !p.success || !c.releasedBy(p.fi, p.class, map[*fnInfo]bool{}) {
			c.report(p.f)
		}
	}
	c.pending = nil
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
