package check

import (
	"strings"

	"github.com/locklint/locklint/parse"
)

// This file follows a flag that is kept in a struct instead of passed
// down: a function sleeps only when a field of the object it is given
// says so (`if (cqp_request->waiting) irdma_wait_event(...)`), and the
// field holds what a caller asked for, stored there by a helper
// (`cqp_request = irdma_alloc_and_get_cqp_request(cqp, wait)`, which sets
// `cqp_request->waiting = wait`; `mwifiex_init_cmd_node(..., sync)`, which
// sets `cmd_node->wait_q_enabled` when sync is true). The caller that
// passes `false` does not sleep there.

// fieldSet says that a function stores one of its scalar parameters
// (from) to a field of an object: of parameter obj, or (obj -1) of the
// object it returns. A store of `true` reached only when the parameter
// is non-zero counts as a store of the parameter (the field is clear
// otherwise, as a freshly set-up object's fields are).
type fieldSet struct {
	obj   int
	field string
	from  int
}

// fieldInfo is what this file finds in a function, each part once.
type fieldInfo struct {
	sets       []fieldSet // fieldSets
	binds      []binding  // bindings
	flags      []fieldFlag
	setsKnown  bool
	bindsKnown bool
	flagsKnown bool
}

// fieldSets lists the stores of fi's scalar parameters to fields, each
// field stored once in the function, computed once.
func (c *Checker) fieldSets(fi *fnInfo) []fieldSet {
	if fi.fields.setsKnown {
		return fi.fields.sets
	}
	fi.fields.setsKnown = true
	fn := fi.fn
	returned := map[string]bool{}
	writes := map[string]int{}
	for _, b := range fn.Blocks {
		for i := range b.Events {
			switch e := &b.Events[i]; e.Kind {
			case parse.EvReturn:
				if parse.IsIdentifier(e.Value.Norm) {
					returned[e.Value.Norm] = true
				}
			case parse.EvWrite:
				writes[e.LHS.Norm]++
			}
		}
	}
	for _, b := range fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			if e.Kind != parse.EvWrite || e.Op != "=" || writes[e.LHS.Norm] != 1 {
				continue
			}
			root, field, ok := strings.Cut(e.LHS.Norm, "->")
			if !ok || !parse.IsIdentifier(root) || !parse.IsIdentifier(field) {
				continue
			}
			obj := paramIndex(fn, root)
			if obj < 0 && !returned[root] {
				// (a returned local may be found or made: its one
				// store of the field is on the object returned)
				continue
			}
			from := -1
			if k := scalarParam(fn, e.Value.Norm); k >= 0 {
				from = k
			} else if e.Value.Norm == "true" || e.Value.Norm == "1" {
				// `if (sync) cmd_node->wait_q_enabled = true;`
				for k, p := range fn.Params {
					if scalarParam(fn, p.Name) == k && branchesOn(fn, p.Name) && !reachable(fn, b.ID, p.Name, "", true) {
						from = k
						break
					}
				}
			}
			if from >= 0 && len(fi.fields.sets) < 8 {
				fi.fields.sets = append(fi.fields.sets, fieldSet{obj: obj, field: field, from: from})
			}
		}
	}
	return fi.fields.sets
}

// paramIndex is the index of fn's parameter named v, or -1 (v a local,
// a global or a path).
func paramIndex(fn *parse.Function, v string) int {
	if k, rest, ok := paramOf(fn, v); ok && k >= 0 && rest == "" {
		return k
	}
	return -1
}

// scalarParam is the index of fn's parameter v when it is a scalar that
// fn never assigns (what the caller passed, everywhere), or -1.
func scalarParam(fn *parse.Function, v string) int {
	k := paramIndex(fn, v)
	if k < 0 || fn.Params[k].Pointer != 0 || assignedOften(fn, v) {
		return -1
	}
	return k
}

// assignedOften tells whether fn assigns v more than once (a parameter:
// at all).
func assignedOften(fn *parse.Function, v string) bool {
	n := 0
	if paramIndex(fn, v) >= 0 {
		n = 1
	}
	for _, b := range fn.Blocks {
		for i := range b.Events {
			if e := &b.Events[i]; (e.Kind == parse.EvAssign || e.Kind == parse.EvUpdate) && e.Var == v {
				if n++; n > 1 {
					return true
				}
			}
		}
	}
	return false
}

// fieldFlag is a pointer parameter's index and one of its fields, as a
// path ("->waiting").
type fieldFlag struct {
	i    int
	path string
}

// fieldFlagsOf is fieldFlags of fi's function, computed once.
func (c *Checker) fieldFlagsOf(fi *fnInfo) []fieldFlag {
	if !fi.fields.flagsKnown {
		fi.fields.flags, fi.fields.flagsKnown = fieldFlags(fi.fn), true
	}
	return fi.fields.flags
}

// fieldFlags are the fields of fn's pointer parameters that its branches
// test as flags (`if (req->waiting)`) and that fn never stores to or
// reassigns the parameter around: their value is what the caller put
// there. Each is the parameter's index and the field's path ("->waiting").
func fieldFlags(fn *parse.Function) []fieldFlag {
	var out []fieldFlag
	for _, blk := range fn.Blocks {
		for _, e := range blk.Succs {
			if e.Cond == "" || e.Case != "" {
				continue
			}
			root, field, ok := strings.Cut(strings.TrimLeft(e.Cond, "!"), "->")
			if !ok || !parse.IsIdentifier(root) || !parse.IsIdentifier(field) {
				continue
			}
			k := paramIndex(fn, root)
			if k < 0 || fn.Params[k].Pointer == 0 || assignedOften(fn, root) || writesPath(fn, root+"->"+field) {
				continue
			}
			dup := false
			for _, o := range out {
				dup = dup || o.i == k && o.path == "->"+field
			}
			if !dup && len(out) < 4 {
				out = append(out, fieldFlag{k, "->" + field})
			}
		}
	}
	return out
}

// writesPath tells whether fn stores to path.
func writesPath(fn *parse.Function, path string) bool {
	for _, b := range fn.Blocks {
		for i := range b.Events {
			if e := &b.Events[i]; e.Kind == parse.EvWrite && e.LHS.Norm == path {
				return true
			}
		}
	}
	return false
}

// binding is a path in a function that a callee in view fills from the
// value the function passes it (`req = alloc_req(cqp, wait)` makes
// `req->waiting` hold wait).
type binding struct{ path, arg string }

// bindings lists fi's bindings, in the order of its calls, computed
// once: only paths fi does not store to itself, on an object it does
// not reassign.
func (c *Checker) bindings(fi *fnInfo) []binding {
	if fi.fields.bindsKnown {
		return fi.fields.binds
	}
	fi.fields.bindsKnown = true
	for _, b := range fi.fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			if e.Kind != parse.EvCall {
				continue
			}
			for _, s := range c.setsBy(fi, e) {
				if s.from >= len(e.Args) {
					continue
				}
				if p := c.setPath(fi, e, s); p != "" {
					fi.fields.binds = append(fi.fields.binds, binding{p, e.Args[s.from].Norm})
				}
			}
		}
	}
	return fi.fields.binds
}

// calleeCopies are the paths in fi that a callee in view fills from the
// value fi passes as v (bindings), at most four.
func (c *Checker) calleeCopies(fi *fnInfo, v string) []string {
	var out []string
	for _, bd := range c.bindings(fi) {
		if bd.arg == v && !contains(out, bd.path) && len(out) < 4 {
			out = append(out, bd.path)
		}
	}
	return out
}

// setsBy is fieldSets of the function call e calls, if it is in view.
func (c *Checker) setsBy(fi *fnInfo, e *parse.Event) []fieldSet {
	if len(e.Args) == 0 {
		return nil
	}
	callee := c.lookup(e.Callee, fi.file)
	if callee == nil || callee == fi {
		return nil
	}
	return c.fieldSets(callee)
}

// setPath is the path in fi that call e fills by s, or "".
func (c *Checker) setPath(fi *fnInfo, e *parse.Event, s fieldSet) string {
	var root string
	switch {
	case s.obj < 0:
		root = e.Result
	case s.obj < len(e.Args):
		root = e.Args[s.obj].Norm
	}
	if !parse.IsIdentifier(root) || assignedOften(fi.fn, root) && s.obj >= 0 {
		return ""
	}
	p := root + "->" + s.field
	if writesPath(fi.fn, p) {
		return ""
	}
	if s.obj < 0 {
		// the object is the call's: assigned by it alone
		n := 0
		for _, b := range fi.fn.Blocks {
			for i := range b.Events {
				if x := &b.Events[i]; x.Kind == parse.EvAssign && x.Var == root {
					n++
				}
			}
		}
		if n > 1 {
			return ""
		}
	}
	return p
}

// fieldValue tells what path holds in fi where a call passes it: a copy
// of fi's scalar parameter (its index), or a constant a callee in view
// stored there (`alloc_req(cqp, false)`); -1 and "" when not known (no
// binding, or more than one).
func (c *Checker) fieldValue(fi *fnInfo, path string) (int, string) {
	param, konst, found := -1, "", 0
	for _, bd := range c.bindings(fi) {
		if bd.path != path {
			continue
		}
		found++
		if k := scalarParam(fi.fn, bd.arg); k >= 0 {
			param = k
		} else if contradicts(bd.arg, true) || contradicts(bd.arg, false) {
			konst = bd.arg
		}
	}
	if found != 1 {
		return -1, ""
	}
	return param, konst
}

// ownStore is the constant fn stores to path before call e, when that is
// its only store there, on an object it does not reassign
// (`args->force = true;` before `fuse_simple_background(fm, args, ...)`).
func ownStore(fn *parse.Function, path string, e *parse.Event) (string, bool) {
	root, _, _ := strings.Cut(path, "->")
	if assignedOften(fn, root) {
		return "", false
	}
	var w *parse.Event
	for _, b := range fn.Blocks {
		for i := range b.Events {
			if x := &b.Events[i]; x.Kind == parse.EvWrite && x.LHS.Norm == path {
				if w != nil {
					return "", false
				}
				w = x
			}
		}
	}
	if w == nil || w.Op != "=" || w.Off > e.Off || !(contradicts(w.Value.Norm, true) || contradicts(w.Value.Norm, false)) {
		return "", false
	}
	return w.Value.Norm, true
}
