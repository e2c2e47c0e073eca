package check

import (
	"strings"
	"unicode"

	"github.com/locklint/locklint/parse"
)

// lockWords are the parts of a name that speak of a lock.
var lockWords = []string{"lock", "mutex", "release", "rcu", "restore", "critical", "sem"}

func hasSubstring(n string, ws []string) bool {
	for _, w := range ws {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// lockishName tells whether the name of a function the engine cannot see
// says that it takes or drops a lock (`foo_unlock`, `ops->lock`,
// `bar_release_mutex`). Only such a callee may change the state of a lock
// whose object it is given: as smatch does, any other unseen function is
// assumed to leave its caller's locks alone. Without this, nearly every
// kernel function (`dev_err(dev, ...)`, `foo_check(f, v)`) made the locks
// of the objects it was handed unknown, and a leak on the error path after
// it went unreported.
func lockishName(callee string) bool {
	n := strings.ToLower(callee)
	if i := strings.LastIndexAny(n, ">."); i >= 0 {
		n = n[i+1:] // ops->unlock: the member's name is what says it
	}
	if !hasSubstring(n, lockWords) {
		return false // (most names: no need to split them)
	}
	// word by word, so that i2c_smbus_read_i2c_block_data, clk_get_clock
	// and assemble_frame say nothing about locks
	for _, w := range strings.FieldsFunc(n, func(r rune) bool { return r == '_' || r >= '0' && r <= '9' }) {
		switch w {
		case "locked", "unlocked", "nolock", "lockless", "lockdep":
			// `snd_ctl_find_numid_locked(card, id)`: called with the lock
			// held (or without it), it leaves it as it is
			continue
		}
		switch {
		case strings.Contains(w, "lock") && !strings.Contains(w, "block") && !strings.Contains(w, "clock"),
			strings.Contains(w, "mutex"), strings.Contains(w, "release"), strings.Contains(w, "rcu"),
			strings.Contains(w, "restore"), strings.Contains(w, "critical"),
			strings.HasPrefix(w, "sem") && !strings.HasPrefix(w, "seman"), strings.HasSuffix(w, "sem"):
			return true
		}
	}
	return false
}

// passesLock tells whether an unanalyzed call may take or drop a lock on
// the objects it is given: its name says so, or it is handed a function
// whose name does (`kref_put(&z->refcount, release_z_locked)`).
func (c *Checker) passesLock(e *parse.Event) bool {
	switch ni := c.nameInfo(e.Callee); {
	case ni&namePredicate != 0:
		return false
	case ni&nameLockish != 0:
		return true
	}
	for _, arg := range e.Args {
		if parse.IsIdentifier(arg.Norm) && !strings.HasPrefix(arg.Text, "&") && c.lockishName(arg.Norm) &&
			strings.ContainsAny(arg.Norm, "abcdefghijklmnopqrstuvwxyz") {
			return true
		}
	}
	return false
}

// nameInfo caches what lockishName and lockPredicate say of a name: every
// call asks, for a few thousand distinct names.
type nameInfo uint8

const (
	nameKnown nameInfo = 1 << iota
	nameLockish
	namePredicate
)

func (c *Checker) nameInfo(name string) nameInfo {
	if c.names == nil {
		c.names = map[string]nameInfo{}
	}
	ni, ok := c.names[name]
	if !ok {
		ni = nameKnown
		if lockishName(name) {
			ni |= nameLockish
		}
		if lockPredicate(name) {
			ni |= namePredicate
		}
		c.names[name] = ni
	}
	return ni
}

func (c *Checker) lockishName(name string) bool   { return c.nameInfo(name)&nameLockish != 0 }
func (c *Checker) lockPredicate(name string) bool { return c.nameInfo(name)&namePredicate != 0 }

// lockPredicate tells whether a function only looks at a lock it is
// given (`lockdep_is_held(&l)`, `spin_is_locked(&l)`, `WARN_ON_ONCE()`
// wrappers of those): it drops nothing.
func lockPredicate(callee string) bool {
	return hasSubstring(strings.ToLower(callee), []string{"is_held", "is_locked", "is_contended", "lockdep_", "assert", "might_lock", "lock_is_"})
}

// passLockItself marks the held locks that a call to an unanalyzed
// function is given themselves (`cond_resched_lock(&f->lock)`,
// `foo_wait(&f->lock)`): a function handed the lock may well drop it.
func (a *analysis) passLockItself(s state, e *parse.Event) {
	if a.c.lockPredicate(e.Callee) {
		return
	}
	for _, p := range s {
		for k, v := range p.locks.all() {
			if v.b&bH == 0 || v.passed {
				continue
			}
			for _, arg := range e.Args {
				if isPath(arg.Norm) && p.resolve(arg.Norm) == k.inst {
					v.passed = true
					p.setLock(k, v)
					break
				}
				if !v.waited && waitOn(e.Callee, arg.Norm, k, p) {
					v.waited = true
					p.setLock(k, v)
					break
				}
			}
		}
	}
}

// waitOn tells whether a call out of sight named like a wait is handed,
// anywhere in argument arg, the object whose lock k is: a wait macro may
// drop that lock while it sleeps (`spufs_wait(ctx->stop_wq,
// spu_stopped(ctx, &status))` releases ctx->state_mutex, and on a signal
// returns without it).
func waitOn(callee, arg string, k key, p *partition) bool {
	if !strings.Contains(callee, "wait") {
		return false
	}
	for _, v := range identsOf(arg) {
		if o := p.resolve(v); o != "" && fieldOf(k.inst, o) {
			return true
		}
	}
	return false
}

// identsOf lists the identifiers in expression text e.
func identsOf(e string) []string {
	var out []string
	for i := 0; i < len(e); {
		if !isIdentByte(e[i]) || e[i] >= '0' && e[i] <= '9' {
			i++
			continue
		}
		j := i
		for j < len(e) && isIdentByte(e[j]) {
			j++
		}
		if i == 0 || e[i-1] != '>' && e[i-1] != '.' {
			out = append(out, e[i:j]) // (not a field name)
		}
		i = j
	}
	return out
}

// Classes of returned values, as the paths to a return know them.
const (
	valVoid    = "void"    // no value
	valZero    = "zero"    // 0: success for an int
	valNull    = "null"    // NULL or false: failure for a pointer or bool
	valOne     = "one"     // 1 or true
	valError   = "error"   // a negative error, an ERR_PTR, a non-zero error code
	valNonNull = "nonnull" // a pointer known not to be NULL or an ERR_PTR
	valValue   = "value"   // not known
)

// errorVars are the names kernel code gives an int that holds 0 or an
// error code; a non-zero one of them is an error. Used when the
// declaration is not in view (a hunk).
var errorVars = map[string]bool{"ret": true, "err": true, "error": true, "rc": true, "r": true, "retval": true,
	"status": true, "result": true, "rv": true, "res": true, "ret_val": true, "rval": true, "e": true}

// valueClass says what a return of value is on the paths of s, from the
// value's text and the branch facts: `return ret` after `if (ret)` or
// `if (ret < 0)` returns an error, after `if (!ret)` zero; `return page`
// after `if (!page)` or `IS_ERR(page)` taken false returns an object.
func (a *analysis) valueClass(s state, value string) string {
	switch {
	case value == "":
		return valVoid
	case value == "0":
		return valZero
	case value == "false":
		return valZero // a bool: held on false is a lock held on 0
	case value == "NULL":
		return valNull
	case value == "1" || value == "true":
		return valOne
	case strings.HasPrefix(value, "-") || strings.HasPrefix(value, "ERR_PTR(") || strings.HasPrefix(value, "ERR_CAST("):
		return valError
	}
	v := value
	if inner, ok := strings.CutPrefix(v, "PTR_ERR("); ok {
		v = strings.TrimSuffix(inner, ")")
	}
	if !parse.IsIdentifier(v) || len(s) == 0 {
		if a.fn.ReturnType.Pointer > 0 {
			// `return fifo->static_buffer;`, `return (void *)(mem + off);`
			return "pointer"
		}
		return valValue
	}
	pointer, known := false, false
	if t, ok := a.fn.VarType(v); ok {
		pointer, known = t.Pointer > 0, true
	} else if a.fn.ReturnType.Pointer > 0 {
		pointer, known = true, true // a global returned as the function's pointer
	}
	// every path must agree on what it knows
	class := ""
	for _, p := range s {
		c := valValue
		nz, okNZ := p.facts.lookup(v)
		neg, okNeg := p.facts.lookup(v + "<0")
		isErr, okErr := p.facts.lookup("IS_ERR(" + v + ")")
		isErrNull, okErrNull := p.facts.lookup("IS_ERR_OR_NULL(" + v + ")")
		if _, equal := comparedToError(p, v); equal {
			neg, okNeg = true, true // `err == -ENOSPC`
		}
		switch {
		case okNeg && neg, okErr && isErr, okErrNull && isErrNull && pointer:
			c = valError
		case okNZ && !nz:
			c = valZero
			if pointer {
				c = valNull
			}
		case okNZ && nz && (pointer || known && !pointer):
			c = valNonNull
			if !pointer {
				c = valError
			}
		case okNZ && nz && errorVars[v]:
			c = valError
		case okErr && !isErr && pointer, okErrNull && !isErrNull:
			c = valNonNull
		}
		if strings.HasPrefix(value, "PTR_ERR(") && c != valError {
			c = valValue
		}
		if class == "" {
			class = c
		} else if class != c {
			return valValue
		}
	}
	if class == valValue && !pointer && a.onlyErrors(v) {
		// `int ret = -EINVAL;` ... `return ret;`: nothing else is ever
		// put in it, so it is an error wherever it is returned
		return valError
	}
	if class == valValue && pointer {
		return "pointer"
	}
	return class
}

// comparedToError tells whether a path tested v against an error code
// (`if (err != -ENOSPC)`), and whether it found them equal.
func comparedToError(p *partition, v string) (tested, equal bool) {
	for f, b := range p.facts.all() {
		if c, ok := strings.CutPrefix(f, v+"=="); ok && errorConstant(c) {
			tested, equal = true, equal || b
		}
	}
	return tested, equal
}

// onlyErrors tells whether every value the function puts in local v is
// an error constant (`ret = -EINVAL`): never a call's result, never
// handed out by address, and assigned at least once.
func (a *analysis) onlyErrors(v string) bool {
	if a.errOnly == nil {
		a.errOnly = map[string]bool{}
	}
	if r, ok := a.errOnly[v]; ok {
		return r
	}
	assigned, ok := 0, a.isLocal(v)
	for _, b := range a.fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			switch {
			case !ok:
			case e.Kind == parse.EvAssign && e.Var == v:
				val := e.Value.Norm
				ok = strings.HasPrefix(val, "-") && len(val) > 1 && (val[1] >= '0' && val[1] <= '9' || val[1] >= 'A' && val[1] <= 'Z')
				assigned++
			case e.Kind == parse.EvCall && e.Result == v:
				ok = false
			case e.Kind == parse.EvCall:
				for _, arg := range e.Args {
					if arg.Norm == v && strings.HasPrefix(arg.Text, "&") {
						ok = false
					}
				}
			}
		}
	}
	r := ok && assigned > 0
	a.errOnly[v] = r
	return r
}

// conditionalAPI tells whether returns that keep the lock and returns
// that release it are the interface of a conditional-acquire function
// rather than a forgotten unlock. It is one only when the returned value
// tells the two apart for the caller: held exactly on 0 (a killable-style
// lock), or exactly on true / an object (a trylock-style one), and every
// releasing return gives a value the holding ones never do. A void
// function, a return of a value not known (`return ret` against `return
// 0`: ret may be 0), and a lock held only on error returns are leaks. The
// kind says how callers can tell success.
func conditionalAPI(held, released []retSnap) (opKind, bool) {
	all := func(rs []retSnap, kinds ...string) bool {
		for _, r := range rs {
			if !contains(kinds, r.known) {
				return false
			}
		}
		return true
	}
	switch {
	case all(held, valOne, valNonNull) && all(released, valZero, valNull):
		return opTry, true
	case all(held, "pointer", valNonNull) && all(released, valNull, valError):
		// an object returned locked, NULL or an ERR_PTR without the lock
		return opTry, true
	case all(held, valZero) && all(released, valError, valOne, valNull):
		return opTryZero, true
	case all(held, valZero) && errorReturns(released):
		// `return 0;` where it keeps the lock, `return ret;` from an error
		// ladder where it does not (blkg_conf_prep())
		return opTryZero, true
	case statusConstant(held, released):
		// `return VM_FAULT_LOCKED;` where it keeps the lock, other codes
		// where it does not: the callers test the code
		return opUnknownAPI, true
	case all(released, valError) && sameErrorVar(held, released):
		// `if (err) { unlock; return err; } ... return err;`: the variable
		// the releasing paths return as an error is returned where the
		// lock is kept, where it is not one
		return opTryZero, true
	}
	return 0, false
}

// errorReturns tells whether every releasing return gives an error, or a
// variable named for one (`ret`, `err`) that the paths to some releasing
// return tested as an error and none proved 0 (an error ladder's labels
// all `return err`).
func errorReturns(rs []retSnap) bool {
	tested := map[string]bool{} // variables some releasing return knows as errors
	for _, r := range rs {
		if r.known == valError || r.someErr {
			tested[r.value] = true
		}
	}
	for _, r := range rs {
		if r.known != valError && !(r.known == valValue && errorVars[r.value] && tested[r.value]) {
			return false
		}
		if r.mayZero {
			// a path here found it no error: this return may give 0
			// too, the value the lock is kept on (dev_change_name())
			return false
		}
	}
	return true
}

// statusConstant tells whether every holding return gives one named
// status code (`VM_FAULT_LOCKED`, `MIGRATEPAGE_UNMAP`) that no releasing
// return gives. Handler results (IRQ_HANDLED, NOTIFY_OK, NETDEV_TX_OK)
// say nothing about a lock, and NULL is a pointer's failure: an object
// lock kept on `return NULL` and dropped where the object is returned is
// left behind.
func statusConstant(held, released []retSnap) bool {
	c := held[0].value
	if !macroName(c) || c == "NULL" {
		return false
	}
	for _, p := range []string{"IRQ_", "NOTIFY_", "NETDEV_TX", "NET_RX", "HRTIMER_", "TRUE", "FALSE"} {
		if strings.HasPrefix(c, p) {
			return false
		}
	}
	for _, r := range held {
		if r.value != c {
			return false
		}
	}
	for _, r := range released {
		if r.value == c {
			return false
		}
	}
	return true
}

// sameErrorVar tells whether every holding return gives one variable, of
// no known value there, that some releasing return gives as an error.
func sameErrorVar(held, released []retSnap) bool {
	v := held[0].value
	if !parse.IsIdentifier(v) {
		return false
	}
	for _, r := range held {
		if r.value != v || r.known != valValue {
			return false
		}
	}
	for _, r := range released {
		if r.value == v {
			return true
		}
	}
	return false
}

// passIfLockFlag marks every held lock as passed when a call is given the
// address of a variable whose name is about a lock (`&ilock_shared`,
// `&locked`): the callee says through it whether it dropped or retook a
// lock, which may be one it reaches through another path than its
// arguments (`file_inode(iocb->ki_filp)`), so no lock here is known after it.
func (a *analysis) passIfLockFlag(s state, e *parse.Event) {
	flag := false
	for _, arg := range e.Args {
		if strings.HasPrefix(arg.Text, "&") && parse.IsIdentifier(arg.Norm) && strings.Contains(strings.ToLower(arg.Norm), "lock") {
			// a flag, not a lock itself (`&reuseport_lock`)
			if v, ok := a.fn.VarType(arg.Norm); ok && v.Pointer == 0 && scalarType(v.Type) {
				flag = true
			}
		}
	}
	if !flag {
		return
	}
	for _, p := range s {
		p.passHeld(func(key) bool { return true })
	}
}

// nameOp reads what a helper's name says it does to the lock of its first
// argument: `foo_unlock(f)` and `unlock_foo(f)` release, `foo_trylock(f)`
// tries, `foo_lock(f)` and `lock_foo(f)` take. It returns the helper's
// family ("foo") as the lock class.
func nameOp(callee string) (lockOp, bool) {
	if !strings.Contains(callee, "lock") || !parse.IsIdentifier(callee) {
		return lockOp{}, false
	}
	for _, f := range []struct {
		suffix, prefix string
		kind           opKind
	}{{"_unlock", "", opRelease}, {"_trylock", "", opTry}, {"_lock", "", opAcquire}, {"", "unlock_", opRelease}, {"", "lock_", opAcquire}} {
		base, ok := strings.CutSuffix(callee, f.suffix)
		if f.prefix != "" {
			base, ok = strings.CutPrefix(callee, f.prefix)
		}
		if ok && base != "" && base != callee && base != "xas" {
			// not xas_lock(&xas): see the xarray entries of the table
			return lockOp{kind: f.kind, class: base + "()"}, true
		}
	}
	return lockOp{}, false
}

// namedPairs are the helpers, not defined in the input nor known to the
// table, that a function both takes and drops by name on one object
// (`amdgpu_mes_lock(&adev->mes)` ... `amdgpu_mes_unlock(&adev->mes)`):
// the pairing is the evidence that they are a lock, so that a helper
// defined in a header out of view is followed. A name alone is not.
func (c *Checker) namedPairs(fi *fnInfo) map[string]bool {
	if fi.named != nil {
		return fi.named
	}
	fi.named = map[string]bool{}
	seen := map[string]opKind{} // family and object -> what was seen (bit per kind)
	tainted := map[string]bool{}
	type named struct {
		e  *parse.Event
		op lockOp
	}
	var calls []named
	for _, b := range fi.fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			if e.Kind != parse.EvCall || len(e.Args) == 0 {
				continue
			}
			op, ok := nameOp(e.Callee)
			if !ok || !namedObject(e.Args[0].Norm) || c.lookup(e.Callee, fi.file) != nil || isWrapper(e.Callee) {
				continue
			}
			bit := opKind(1)
			switch {
			case op.kind == opRelease:
				bit = 2
			case op.kind == opTry || e.Result != "" || resultUsedIn(fi.fn, e):
				// what a named helper's result says is not known: 0 on
				// success, true on success, or an object (lock_rename(),
				// bfa_ioc_firmware_lock(), intel_gt_reset_trylock())
				bit = 4
			}
			seen[op.class+"\x00"+e.Args[0].Norm] |= bit
			if bit == 4 {
				tainted[op.class] = true
			}
			calls = append(calls, named{e, op})
		}
	}
	for _, c := range calls {
		if seen[c.op.class+"\x00"+c.e.Args[0].Norm]&3 == 3 && !tainted[c.op.class] {
			fi.named[c.e.Callee] = true
		}
	}
	return fi.named
}

// namedObject tells whether an argument can be a lock's object: a path,
// not a flag or a constant (`foo_attach_unlock(true)`, `FOO_LOCK`).
func namedObject(arg string) bool {
	return isPath(arg) && arg != "true" && arg != "false" && arg != "NULL" && strings.IndexFunc(arg, unicode.IsLower) >= 0
}

// ops is what a call does to locks: a primitive, a rule's or the table's
// helper, or a helper named like one (namedOps).
func (a *analysis) ops(e *parse.Event) []lockOp {
	m := a.memoOf(e)
	if m != nil && m.has&memoOps != 0 {
		return m.ops
	}
	ops := a.c.rec.ops(e, a.typeOf)
	if len(ops) == 0 && isFlagAPI(e.Callee) {
		ops = flagOps(e, flagArg(a.fn, e), a.typeOf)
	}
	if len(ops) == 0 {
		ops = a.namedOps(e)
	}
	if m != nil {
		m.ops, m.has = ops, m.has|memoOps
	}
	return ops
}

// passesLock is Checker.passesLock, asked once per event.
func (a *analysis) passesLock(e *parse.Event) bool {
	m := a.memoOf(e)
	if m == nil {
		return a.c.passesLock(e)
	}
	if m.has&memoPasses == 0 {
		m.has |= memoPasses
		if a.c.passesLock(e) {
			m.has |= memoPassesYes
		}
	}
	return m.has&memoPassesYes != 0
}

// evMemo keeps what the dataflow asks of one event of the function on
// every visit of its block.
type evMemo struct {
	e    *parse.Event // the event this entry is for
	has  uint8
	ops  []lockOp
	text string // callText
}

const (
	memoOps uint8 = 1 << iota
	memoPasses
	memoPassesYes
	memoText
)

// memoOf is e's entry, or nil when e is not an event of the function.
func (a *analysis) memoOf(e *parse.Event) *evMemo {
	if e.Seq == 0 || int(e.Seq) > a.fn.NumEvents {
		return nil
	}
	if a.memo == nil {
		a.memo = make([]evMemo, a.fn.NumEvents+1)
	}
	m := &a.memo[e.Seq]
	if m.e != e {
		if m.e != nil {
			return nil // an event of another function with the same number
		}
		m.e = e
	}
	return m
}

// namedOps reads a call to a helper by its name (nameOp): when probing a
// fragment, any such helper out of view, since both sides of a patch are
// read the same way and a release the patch deletes is seen as one; in a
// whole function, only the helpers it pairs (namedPairs), whose takes
// never have their result tested.
func (a *analysis) namedOps(e *parse.Event) []lockOp {
	if e.Kind != parse.EvCall || len(e.Args) == 0 {
		return nil
	}
	op, ok := nameOp(e.Callee)
	if !ok || !namedObject(e.Args[0].Norm) {
		return nil
	}
	if a.c.probes == nil {
		if !a.c.namedPairs(a.fi)[e.Callee] {
			return nil
		}
	} else if a.c.lookup(e.Callee, a.fi.file) != nil {
		return nil
	}
	op.inst = e.Args[0].Norm
	return []lockOp{op}
}

// resultUsed tells whether the function tests what a call returns, in a
// branch or through the variable it keeps it in (`idx = srcu_read_lock()`
// keeps a cookie, tested nowhere).
// It scans the function, so the answer is kept per call (the dataflow
// reaches a call again on every pass and path).
func (a *analysis) resultUsed(e *parse.Event) bool {
	if u, ok := a.used[e]; ok {
		return u
	}
	if a.used == nil {
		a.used = map[*parse.Event]bool{}
	}
	u := resultUsedIn(a.fn, e)
	a.used[e] = u
	return u
}

func resultUsedIn(fn *parse.Function, e *parse.Event) bool {
	for _, b := range fn.Blocks {
		for _, s := range b.Succs {
			if s.Cond != "" && (strings.Contains(s.Cond, e.Call) || mentions(s.Cond, e.Result)) {
				return true
			}
		}
		for i := range b.Events {
			if r := &b.Events[i]; r.Kind == parse.EvReturn && strings.Contains(r.Value.Norm, e.Call) {
				return true
			}
		}
	}
	return false
}

func isWrapper(name string) bool {
	_, ok := wrappers[name]
	return ok
}

// scalarType tells whether a declared type is a plain flag or count.
func scalarType(t string) bool {
	switch t {
	case "bool", "_Bool", "int", "unsigned", "unsigned int", "long", "unsigned long", "u8", "u16", "u32", "u64",
		"s8", "s16", "s32", "s64", "char", "unsigned char", "short", "unsigned short", "size_t", "ssize_t", "vm_fault_t":
		return true
	}
	return false
}
