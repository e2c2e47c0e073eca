package check

import (
	"bufio"
	_ "embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

// A function that asserts a lock held (lockdep_assert_held(),
// assert_spin_locked()) on its way in, where it has not taken the lock
// itself, documents that its callers must hold it: lockdep fires at run
// time when one does not. A call to it where the caller's own code has
// released that lock (or never holds it, though it takes it elsewhere) is
// reported at the call, where the fix goes.
//
// The callees a file calls are mostly in other files. asserted.tsv lists
// the exported functions of Linux 6.1 that assert a lock on entry (mined
// by bench/asserts.sh with Asserts); a callee defined in the input is read
// from its own summary instead.

// assertion is a lock a function asserts held where it did not take it:
// class, and the instance relative to its interface (param, path as in
// sumLock); file and line say where the assertion is.
type assertion struct {
	class string
	param int
	path  string
	file  string
	line  int
	call  string // the assertion as written
	by    string // the function that asserts it
}

// assertCalls are the assertions that state a requirement (not
// lockdep_is_held(), a condition that admits other protection).
func assertCall(callee string) bool {
	switch callee {
	case "lockdep_assert_held", "lockdep_assert_held_once", "lockdep_assert_held_write",
		"lockdep_assert_held_read", "assert_spin_locked", "assert_raw_spin_locked":
		return true
	}
	return false
}

// recordAssert notes an assertion of k at e, reached with k untouched by
// this function, as a requirement on its callers, when it is on the way
// in: every path that does the function's work passes it.
func (a *analysis) recordAssert(e *parse.Event, k key, cur lockVal) {
	if !a.rep || cur.b != bU || !assertCall(e.Callee) || !a.onEntryPath(e) {
		return
	}
	param, path, ok := paramOf(a.fn, k.inst)
	if !ok {
		return
	}
	for _, as := range a.sum.asserts {
		if as.class == k.class && as.param == param && as.path == path {
			return
		}
	}
	a.sum.asserts = append(a.sum.asserts, assertion{class: k.class, param: param, path: path,
		file: a.fn.File, line: e.Pos.Line, call: a.callText(e), by: a.fn.Name})
}

// inheritAssert makes a callee's assertion, on the lock m names at call
// e, this function's own when e is on its way in.
func (a *analysis) inheritAssert(s state, e *parse.Event, as assertion, m string) {
	if !a.rep || len(s) == 0 || !a.onEntryPath(e) || a.unknownLocker(as.class) {
		return
	}
	param, path, ok := paramOf(a.fn, s[0].resolve(m))
	if !ok {
		return
	}
	for _, have := range a.sum.asserts {
		if have.class == as.class && have.param == param && have.path == path {
			return
		}
	}
	as.param, as.path = param, path
	a.sum.asserts = append(a.sum.asserts, as)
}

// unknownLocker tells whether the function calls something named like a
// lock operation that is not defined in the input and is not known to
// work on class (`mptcp_data_lock(sk)`, a macro in a header not read,
// guessed from its name to lock `sk`): it may be what holds the lock the
// callee asserts.
func (a *analysis) unknownLocker(class string) bool {
	for _, b := range a.fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			if e.Kind != parse.EvCall || !strings.Contains(e.Callee, "lock") || assertCall(e.Callee) || a.c.lookup(e.Callee, a.fi.file) != nil {
				continue
			}
			named := false
			for _, op := range a.ops(e) {
				named = named || op.class == class
			}
			if !named {
				return true
			}
		}
	}
	return false
}

// onEntryPath tells whether e is on the function's way in: reached from
// the entry through blocks that go on unconditionally, or branch only to
// an early return.
func (a *analysis) onEntryPath(e *parse.Event) bool {
	at, _ := a.locate(e)
	return wayIn(a.fn, at, false)
}

// wayIn tells whether block at of fn is on its way in (see onEntryPath);
// with errorsOnly, only an early return of an error leaves it.
func wayIn(fn *parse.Function, at int, errorsOnly bool) bool {
	b := 0
	seen := map[int]bool{}
	for at >= 0 && !seen[b] {
		seen[b] = true
		if b == at {
			return true
		}
		blk := fn.Blocks[b]
		next := -1
		// (an edge straight to the exit falls off the end: the
		// assertion after it is not on every path)
		for _, s := range blk.Succs {
			if s.To != fn.Exit && earlyReturn(fn, s.To, errorsOnly) {
				continue
			}
			if next >= 0 {
				return false // a real branch
			}
			next = s.To
		}
		if next < 0 {
			return false
		}
		b = next
	}
	return false
}

// earlyReturn tells whether block b only returns (with errorsOnly, an
// error: `-EINVAL`, `ERR_PTR(...)`, NULL).
func earlyReturn(fn *parse.Function, b int, errorsOnly bool) bool {
	blk := fn.Blocks[b]
	n := len(blk.Events)
	if n == 0 || blk.Events[n-1].Kind != parse.EvReturn || len(blk.Succs) != 1 || blk.Succs[0].To != fn.Exit {
		return false
	}
	if !errorsOnly {
		return true
	}
	v := blk.Events[n-1].Value.Norm
	return strings.HasPrefix(v, "-") || strings.HasPrefix(v, "ERR_PTR") || v == "NULL"
}

// checkAsserted reports a call to a function that asserts a lock the
// caller does not hold here.
func (a *analysis) checkAsserted(s state, e *parse.Event, callee *fnInfo) {
	var asserts []assertion
	if callee != nil {
		if callee.sum == nil {
			return
		}
		asserts = callee.sum.asserts
	} else {
		asserts = assertedTable()[e.Callee]
	}
	for _, as := range asserts {
		m, ok := mapInst(as.param, as.path, e)
		if !ok {
			continue
		}
		inst := func(p *partition) (string, bool) { return p.resolve(m), true }
		st := a.classStatus(s, []string{as.class}, inst)
		sev := verdict(st, a.c.sev["asserted-held"])
		if sev == "" {
			if st.unknown && !st.held && !st.some && !st.not {
				// not touched here: this function's callers must hold it
				// in turn, if every call to it passes here
				a.inheritAssert(s, e, as, m)
			}
			continue
		}
		what := a.asWritten(m)
		if as.param == -2 {
			what = as.path
		}
		tr := []Note{a.missing(e, s, []string{as.class}, "")}
		tr = append(tr, Note{File: as.file, Line: as.line, Note: fmt.Sprintf("%s() asserts it: %s", as.by, as.call)})
		who := "it asserts it"
		if as.by != e.Callee {
			who = as.by + "() under it asserts it"
		}
		a.finding("asserted-held", sev, e, fmt.Sprintf("%s() needs %s held (%s), and it is not held here", e.Callee, what, who), tr...)
	}
}

//go:embed asserted.tsv
var assertedTSV string

var (
	assertedOnce sync.Once
	assertedMap  map[string][]assertion
)

// assertedTable is asserted.tsv by function name: name, class, param,
// path, file, line, the assertion, the function that makes it
// (tab-separated).
func assertedTable() map[string][]assertion {
	assertedOnce.Do(func() {
		assertedMap = map[string][]assertion{}
		sc := bufio.NewScanner(strings.NewReader(assertedTSV))
		for sc.Scan() {
			f := strings.Split(sc.Text(), "\t")
			if len(f) != 8 || strings.HasPrefix(f[0], "#") {
				continue
			}
			param, err1 := strconv.Atoi(f[2])
			line, err2 := strconv.Atoi(f[5])
			if err1 != nil || err2 != nil {
				continue
			}
			assertedMap[f[0]] = append(assertedMap[f[0]], assertion{class: f[1], param: param, path: f[3], file: f[4], line: line, call: f[6], by: f[7]})
		}
	})
	return assertedMap
}

// Asserts runs the checker over files and lists, one line each in
// asserted.tsv's form, the locks their exported functions assert on the
// way in. (Which names the tree defines more than once is the caller's to
// tell: bench/asserts leaves those out.)
func Asserts(set *rules.Set, files []*parse.File) []string {
	c := New(set, files)
	c.Run()
	var out []string
	for _, fi := range c.funcs {
		if fi.fn.Static || fi.sum == nil {
			continue
		}
		for _, as := range fi.sum.asserts {
			out = append(out, strings.Join([]string{fi.fn.Name, as.class, strconv.Itoa(as.param), as.path, as.file,
				strconv.Itoa(as.line), strings.ReplaceAll(as.call, "\t", " "), as.by}, "\t"))
		}
	}
	sort.Strings(out)
	return out
}
