package check

import (
	"slices"
	"strings"

	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

// Lock helpers whose flag argument says which of the object's locks they
// take or drop: XFS's inode locks, `xfs_ilock(ip, XFS_IOLOCK_EXCL |
// XFS_MMAPLOCK_EXCL)` ... `xfs_iunlock(ip, XFS_MMAPLOCK_EXCL)`. The body
// of xfs_ilock() tests each flag in turn, which a summary cannot say, so
// the table wins over a definition in the input. The flags are read as
// written, or from the constants a local variable is given in the
// function (`lock_mode = XFS_ILOCK_SHARED`); flags the function does not
// pin down (a parameter, `*iolock`) leave the object's locks unknown.

// flagLock is one flag: the lock it selects on the object, and whether
// it takes that lock shared.
type flagLock struct {
	inst, class string
	read        bool
}

var xfsFlags = map[string]flagLock{
	"XFS_IOLOCK_EXCL":     {"$0->i_vnode.i_rwsem", "XFS_IOLOCK", false},
	"XFS_IOLOCK_SHARED":   {"$0->i_vnode.i_rwsem", "XFS_IOLOCK", true},
	"XFS_MMAPLOCK_EXCL":   {"$0->i_vnode.i_mapping->invalidate_lock", "XFS_MMAPLOCK", false},
	"XFS_MMAPLOCK_SHARED": {"$0->i_vnode.i_mapping->invalidate_lock", "XFS_MMAPLOCK", true},
	"XFS_ILOCK_EXCL":      {"$0->i_lock", "XFS_ILOCK", false},
	"XFS_ILOCK_SHARED":    {"$0->i_lock", "XFS_ILOCK", true},
}

// flagAPIs are the helpers, with what they do to each lock their flags
// select. xfs_ilock_nowait() returns true when it took them;
// xfs_isilocked() is asserted (`ASSERT(xfs_isilocked(ip, XFS_ILOCK_EXCL))`).
var flagAPIs = map[string]opKind{
	"xfs_ilock":          opAcquire,
	"xfs_ilock_nowait":   opTry,
	"xfs_iunlock":        opRelease,
	"xfs_isilocked":      opHeld,
	"xfs_assert_ilocked": opHeld,
}

// flagTakers return the flags of the lock they took, for the caller to
// drop with them: `lock_mode = xfs_ilock_data_map_shared(ip)` takes the
// ILOCK, shared or not as the inode needs.
var flagTakers = map[string]string{
	"xfs_ilock_data_map_shared": "XFS_ILOCK_SHARED",
	"xfs_ilock_attr_map_shared": "XFS_ILOCK_SHARED",
}

// flagHandover are the calls that hand the locks their flags select to
// something that drops them later: xfs_trans_ijoin(tp, ip, XFS_ILOCK_EXCL)
// gives the ILOCK to the transaction, which releases it on commit or
// cancel; for the function, it is released there. Flags 0 leave it with
// the caller. The value is the position of the object and of the flags.
var flagHandover = map[string][2]int{
	"xfs_trans_ijoin": {1, 2},
}

// isFlagAPI tells whether the table reads name's flags.
func isFlagAPI(name string) bool {
	if !strings.HasPrefix(name, "xfs_") {
		return false // (every helper of the tables; most calls, cheaply)
	}
	_, ok := flagAPIs[name]
	if !ok {
		_, ok = flagTakers[name]
	}
	if !ok {
		_, ok = flagHandover[name]
	}
	return ok
}

// flagSet reads flag expression text as the locks it selects: ok is
// false when it holds anything but known constants (a variable).
// Constants that select no lock (lockdep subclasses: XFS_ILOCK_PARENT)
// are let through.
func flagSet(text string) (locks []flagLock, ok bool) {
	if text == "0" {
		return nil, true
	}
	for _, t := range strings.Split(text, "|") {
		t = strings.Trim(strings.TrimSpace(t), "()")
		if fl, known := xfsFlags[t]; known {
			locks = append(locks, fl)
			continue
		}
		if !strings.HasPrefix(t, "XFS_") || strings.ToUpper(t) != t || strings.ContainsAny(t, "(* ") {
			return nil, false
		}
	}
	return locks, true
}

// flagOps is what a call to a flag helper does when its flags are
// constants; text is the flags as the function pins them down.
func flagOps(e *parse.Event, text string, typeOf rules.TypeOf) []lockOp {
	kind, ok := flagAPIs[e.Callee]
	obj := 0
	if t, taker := flagTakers[e.Callee]; taker {
		kind, ok, text = opAcquire, true, t
	}
	if h, handover := flagHandover[e.Callee]; handover {
		kind, ok, obj = opRelease, true, h[0]
	}
	if !ok || e.Kind != parse.EvCall || len(e.Args) <= obj || e.Args[obj].Norm == "" {
		return nil
	}
	locks, ok := flagSet(text)
	if !ok {
		return nil
	}
	var out []lockOp
	for _, fl := range locks {
		op := lockOp{kind: kind, sleep: true, read: fl.read, inst: reach(e.Args[obj], fl.inst[2:])}
		if _, taker := flagTakers[e.Callee]; taker {
			op.read = true // (shared or exclusive: the inode decides)
		}
		op.class = fl.class
		out = append(out, op)
	}
	return out
}

// flagText is the flags argument of flag helper call e as written.
func flagText(e *parse.Event) string {
	i := 1
	if h, ok := flagHandover[e.Callee]; ok {
		i = h[1]
	}
	if len(e.Args) <= i {
		return ""
	}
	return e.Args[i].Norm
}

// flagArg is the flags text of flag helper call e, read through the
// constants a local variable holds in fn: "" when they are not known.
func flagArg(fn *parse.Function, e *parse.Event) string {
	text := flagText(e)
	if text == "" {
		return ""
	}
	if _, ok := flagSet(text); ok || fn == nil || !parse.IsIdentifier(text) {
		return text
	}
	if v, ok := fn.VarType(text); !ok || v.Pointer > 0 || isParamOf(fn, text) {
		return ""
	}
	// every value the function gives the variable selects the same locks
	var pinned string
	var first []flagLock
	for _, b := range fn.Blocks {
		for j := range b.Events {
			a := &b.Events[j]
			if a.Var != text || a.Kind != parse.EvAssign {
				continue
			}
			val := a.Value.Norm
			if j > 0 && b.Events[j-1].Kind == parse.EvCall && b.Events[j-1].Result == text {
				// `lock_flags = xfs_ilock_data_map_shared(ip)`: the
				// flags of what the call took
				if c, ok := flagTakers[b.Events[j-1].Callee]; ok {
					val = c
				}
			}
			locks, ok := flagSet(val)
			if !ok {
				return ""
			}
			if pinned == "" {
				pinned, first = val, locks
				continue
			}
			if !sameLocks(first, locks) {
				return ""
			}
		}
	}
	return pinned
}

// sameLocks tells whether two flag sets select the same locks, shared
// or not.
func sameLocks(a, b []flagLock) bool {
	in := func(x []flagLock, inst string) bool {
		return slices.ContainsFunc(x, func(f flagLock) bool { return f.inst == inst })
	}
	for _, f := range a {
		if !in(b, f.inst) {
			return false
		}
	}
	for _, f := range b {
		if !in(a, f.inst) {
			return false
		}
	}
	return true
}

// flagCall handles a call to a flag helper that has no lock operations
// (its flags are 0, or the function does not pin them down: then the
// object's locks are no longer known to be held). It tells whether e is
// a call to a flag helper, which the table answers for, not its body.
func (a *analysis) flagCall(s state, e *parse.Event) bool {
	if !isFlagAPI(e.Callee) {
		return false
	}
	if len(a.ops(e)) > 0 && len(a.c.rec.ops(e, a.typeOf)) == 0 {
		return true // flags known: ops read them as lock operations (flagOps)
	}
	if _, known := flagSet(flagArg(a.fn, e)); !known {
		obj := 0
		if h, ok := flagHandover[e.Callee]; ok {
			obj = h[0]
		}
		a.markPassed(s, e, []int{obj})
	}
	return true
}

// flagsGiven handles a call that is given the object and flags of its
// locks without being a helper of the table (`xchk_ilock_inverted(dp,
// XFS_IOLOCK_SHARED)`, a loop of nowait tries): it may take or drop
// them, so what the function knew of them is gone.
func (a *analysis) flagsGiven(s state, e *parse.Event) {
	for i, arg := range e.Args {
		if !strings.Contains(arg.Norm, "LOCK_") {
			continue // (most arguments, cheaply)
		}
		locks, ok := flagSet(arg.Norm)
		if !ok || len(locks) == 0 {
			continue
		}
		for j, obj := range e.Args {
			if j == i || !isPath(obj.Norm) {
				continue
			}
			for _, fl := range locks {
				for _, p := range s {
					k := key{class: fl.class, inst: p.resolve(reach(obj, fl.inst[2:]))}
					if _, ok := p.locks.lookup(k); ok {
						p.delLock(k)
					}
				}
			}
		}
	}
}

// flagStore handles a store of lock flags to memory (`*lockflags |=
// XFS_IOLOCK_EXCL`, `sc->ilock_flags |= XFS_ILOCK_EXCL`): the function
// records which of the locks it holds for its caller to drop, so held
// locks of those classes are handed over, like a lock returned.
func (a *analysis) flagStore(s state, e *parse.Event) {
	if e.Op != "=" && e.Op != "|=" || !strings.Contains(e.Value.Norm, "LOCK_") {
		return
	}
	locks, ok := flagSet(e.Value.Norm)
	if !ok || len(locks) == 0 {
		return
	}
	for _, p := range s {
		p.passHeld(func(k key) bool {
			return slices.ContainsFunc(locks, func(f flagLock) bool { return f.class == k.class })
		})
	}
}
