package check

import (
	"strings"

	"github.com/locklint/locklint/parse"
)

// A flag computed once from a parameter by a predicate the input defines
// as a switch over it (`bool needs_rtnl = getsockopt_needs_rtnl(optname);`
// ... `if (needs_rtnl) rtnl_lock();` ... `switch (optname) { case
// IP_OPTIONS: ... return ...; }`): in each case of a later switch over
// that parameter the predicate's value is known, and the paths that took
// the flag the other way cannot be there.

// casePred is one such flag: the parameter it was computed from, and the
// predicate.
type casePred struct {
	param string
	fn    *parse.Function
}

// findCasePreds finds the flags of this function computed by a switch
// predicate: assigned once, from a call to a function of the input with
// a parameter of this one that is never assigned. It reads the prescan's
// index of assignments (cands: the assignments of a single-argument
// call's value; updated: the variables changed in place).
func (a *analysis) findCasePreds(cands []*parse.Event, updated map[string]bool) map[string]casePred {
	var out map[string]casePred
	for _, e := range cands {
		name, arg, _ := singleArgCall(e.Value.Norm)
		if len(a.assigns[e.Var]) != 1 || updated[e.Var] || len(a.assigns[arg]) != 0 || updated[arg] || !isParamOf(a.fn, arg) {
			continue
		}
		callee := a.c.lookup(name, a.fi.file)
		if callee == nil || len(callee.fn.Params) != 1 {
			continue
		}
		if out == nil {
			out = map[string]casePred{}
		}
		out[e.Var] = casePred{param: arg, fn: callee.fn}
	}
	return out
}

// isParamOf tells whether v is one of fn's parameters.
func isParamOf(fn *parse.Function, v string) bool {
	i, _, ok := paramOf(fn, v)
	return ok && i >= 0
}

// singleArgCall splits `f(x)` into f and x.
func singleArgCall(v string) (string, string, bool) {
	open := strings.IndexByte(v, '(')
	if open <= 0 || !strings.HasSuffix(v, ")") {
		return "", "", false
	}
	name, arg := v[:open], v[open+1:len(v)-1]
	if !parse.IsIdentifier(name) || !parse.IsIdentifier(arg) {
		return "", "", false
	}
	return name, arg, true
}

// evalSwitchPred gives fn's value for its parameter equal to the constant
// c, when fn does nothing but switch on it and return true or false.
func evalSwitchPred(fn *parse.Function, c string) (bool, bool) {
	param := fn.Params[0].Name
	b := 0
	for steps := 0; steps < 64; steps++ {
		blk := fn.Blocks[b]
		for i := range blk.Events {
			switch e := &blk.Events[i]; e.Kind {
			case parse.EvLabel:
			case parse.EvReturn:
				switch e.Value.Norm {
				case "true", "1":
					return true, true
				case "false", "0":
					return false, true
				}
				return false, false
			default:
				return false, false // not a bare switch
			}
		}
		next, dflt, plain := -1, -1, -1
		for _, s := range blk.Succs {
			switch {
			case s.Case != "" && s.Cond != param:
				return false, false
			case s.Case == c:
				next = s.To
			case s.Case == "default":
				dflt = s.To
			case s.Case == "" && s.Cond == "":
				plain = s.To
			case s.Case == "":
				return false, false // an if: not a bare switch
			}
		}
		switch {
		case next >= 0:
			b = next
		case dflt >= 0:
			b = dflt
		case plain >= 0:
			b = plain
		default:
			return false, false
		}
		if b == fn.Exit {
			return false, false
		}
	}
	return false, false
}

// predCase drops, at the case c of a switch over a parameter, the
// partitions whose fact on a flag computed from that parameter
// contradicts the predicate's value for c.
func (a *analysis) predCase(s state, e *parse.Edge) state {
	if len(a.casePreds) == 0 || e.Case != "default" && (!constant(e.Case) || strings.ContainsAny(e.Case, " .,")) {
		return s
	}
	// the flags' values in this case, as far as the predicates tell
	vals := map[string]bool{}
	for v, cp := range a.casePreds {
		if cp.param != e.Cond {
			continue
		}
		val, ok := false, false
		if e.Case == "default" {
			val, ok = a.predDefault(cp.fn, e)
		} else {
			val, ok = evalSwitchPred(cp.fn, e.Case)
		}
		if ok {
			vals[v] = val
		}
	}
	if len(vals) == 0 {
		return s
	}
	return s.filter(func(p *partition) bool {
		for v, val := range vals {
			if f, known := p.facts.lookup(v); known && f != val {
				return false
			}
		}
		return true
	})
}

// predDefault gives the predicate's value in the default case of the
// switch whose edge e is: its own default value, when every constant for
// which it says otherwise has a case of its own in that switch.
func (a *analysis) predDefault(fn *parse.Function, e *parse.Edge) (bool, bool) {
	var cases []string
	for _, b := range a.fn.Blocks {
		for i := range b.Succs {
			if &b.Succs[i] == e {
				for _, s := range b.Succs {
					if s.Case != "" && s.Case != "default" {
						cases = append(cases, s.Case)
					}
				}
			}
		}
	}
	if len(cases) == 0 {
		return false, false
	}
	// the predicate's own labels, and its value for a constant it does
	// not name
	var labels []string
	for _, b := range fn.Blocks {
		for _, s := range b.Succs {
			if s.Case != "" && s.Case != "default" {
				labels = append(labels, s.Case)
			}
		}
	}
	dflt, ok := evalSwitchPred(fn, "\x00none")
	if !ok {
		return false, false
	}
	for _, l := range labels {
		v, ok := evalSwitchPred(fn, l)
		if !ok {
			return false, false
		}
		if v != dflt && !contains(cases, l) {
			return false, false
		}
	}
	return dflt, true
}
