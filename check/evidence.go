package check

import (
	"strings"

	"github.com/locklint/locklint/parse"
)

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
	for _, w := range []string{"lock", "mutex", "release", "sem", "rcu", "restore", "critical"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// passesLock tells whether an unanalyzed call may take or drop a lock on
// the objects it is given: its name says so, or it is handed a function
// whose name does (`kref_put(&z->refcount, release_z_locked)`).
func passesLock(e *parse.Event) bool {
	if lockishName(e.Callee) {
		return true
	}
	for _, arg := range e.Args {
		if parse.IsIdentifier(arg.Norm) && !strings.HasPrefix(arg.Text, "&") && lockishName(arg.Norm) &&
			strings.ContainsAny(arg.Norm, "abcdefghijklmnopqrstuvwxyz") {
			return true
		}
	}
	return false
}

// passLockItself marks the held locks that a call to an unanalyzed
// function is given themselves (`cond_resched_lock(&f->lock)`,
// `foo_wait(&f->lock)`): a function handed the lock may well drop it.
func (a *analysis) passLockItself(s state, e *parse.Event) {
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
			}
		}
	}
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
		return valValue
	}
	pointer, known := false, false
	if t, ok := a.fn.VarType(v); ok {
		pointer, known = t.Pointer > 0, true
	}
	// every path must agree on what it knows
	class := ""
	for _, p := range s {
		c := valValue
		nz, okNZ := p.facts.lookup(v)
		neg, okNeg := p.facts.lookup(v + "<0")
		isErr, okErr := p.facts.lookup("IS_ERR(" + v + ")")
		isErrNull, okErrNull := p.facts.lookup("IS_ERR_OR_NULL(" + v + ")")
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
	local := false
	for _, l := range a.fn.Locals {
		local = local || l.Name == v
	}
	assigned, ok := 0, local
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
	case all(held, valOne, valNonNull) && all(released, valZero, valNull, valError):
		return opTry, true
	case all(held, "pointer", valNonNull) && all(released, valNull, valError):
		// an object returned locked, NULL or an ERR_PTR without the lock
		return opTry, true
	case all(held, valZero) && all(released, valError, valOne, valNull):
		return opTryZero, true
	}
	return 0, false
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
			flag = true
		}
	}
	if !flag {
		return
	}
	for _, p := range s {
		for k, v := range p.locks.all() {
			if v.b&bH != 0 && !v.passed {
				v.passed = true
				p.setLock(k, v)
			}
		}
	}
}
