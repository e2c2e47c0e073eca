package check

import (
	"fmt"
	"strings"

	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

// This file is the read side of guarded rules with `reads: true`: a
// field the rule guards is read in a value (an assignment's, a store's,
// a call's argument, a return's) while its lock is not held. gfs2 keeps
// its tunables in sd_tune under gt_spin and reads them through
// gfs2_tune_get(); a plain `sdp->sd_tune.gt_logd_secs` races with the
// sysfs store that changes it.

// readRules are the active guarded rules that cover reads.
func readRules(active []*rules.Rule) []*rules.Rule {
	var out []*rules.Rule
	for _, r := range active {
		if r.Kind == rules.KindGuarded && r.Reads {
			out = append(out, r)
		}
	}
	return out
}

// readsGuarded tells whether fi reads a field of a reads rule.
func (c *Checker) readsGuarded(fi *fnInfo) bool {
	rs := c.reads
	if len(rs) == 0 {
		return false
	}
	reads := func(t string) bool {
		for _, r := range rs {
			for _, f := range r.Fields {
				if _, name, _ := strings.Cut(f, "."); len(fieldReads(t, name)) > 0 {
					return true
				}
			}
		}
		return false
	}
	for _, b := range fi.fn.Blocks {
		for i := range b.Events {
			for _, t := range readTexts(&b.Events[i]) {
				if reads(t) {
					return true
				}
			}
		}
		if ev, ok := condRead(b); ok && reads(ev.Value.Text) {
			return true
		}
	}
	return false
}

// condRead is the test at the end of block b as an event that reads
// it, where the test's place is known.
func condRead(b *parse.Block) (parse.Event, bool) {
	if len(b.Succs) == 0 {
		return parse.Event{}, false
	}
	e := b.Succs[0]
	if e.Cond == "" || e.Case != "" || e.Pos.Line == 0 {
		return parse.Event{}, false
	}
	ev := parse.Event{Kind: parse.EvAssign, Pos: e.Pos, Value: parse.Expr{Text: e.Cond, Norm: e.Cond}}
	if n := len(b.Events); n > 0 {
		ev.Off = b.Events[n-1].Off
	}
	return ev, true
}

// checkCondReads checks the test at the end of block b, with the
// state s there.
func (a *analysis) checkCondReads(s state, b *parse.Block) {
	if ev, ok := condRead(b); ok {
		a.checkReads(s, &ev)
	}
}

// readTexts are the expressions event e reads (normalized): an
// assignment's or a store's value, a call's arguments, a returned value.
// A store's target is the write side's.
// As written, without blanks: the normalized form drops a leading `&`.
func readTexts(e *parse.Event) []string {
	squeeze := func(t string) string {
		if strings.ContainsAny(t, " \t\n") {
			return strings.Join(strings.Fields(t), "")
		}
		return t
	}
	switch e.Kind {
	case parse.EvAssign, parse.EvWrite, parse.EvReturn:
		if e.Value.Text != "" {
			return []string{squeeze(e.Value.Text)}
		}
	case parse.EvCall:
		out := make([]string, 0, len(e.Args))
		for _, a := range e.Args {
			out = append(out, squeeze(a.Text))
		}
		return out
	}
	return nil
}

// fieldReads finds the paths in text that read field, each with the
// access (`sdp->sd_tune` and "." in `sdp->sd_tune.gt_logd_secs`),
// leaving out the field's address taken (`&sdp->sd_tune.gt_logd_secs`,
// handed to an accessor that locks).
func fieldReads(text, field string) [][2]string {
	var out [][2]string
	for from := 0; from < len(text); {
		i := strings.Index(text[from:], field)
		if i < 0 {
			break
		}
		i += from
		from = i + len(field)
		if end := i + len(field); end < len(text) && isIdentByte(text[end]) {
			continue // a longer name
		}
		sep := ""
		switch {
		case i >= 2 && text[i-2:i] == "->":
			sep = "->"
		case i >= 1 && text[i-1] == '.':
			sep = "."
		default:
			continue
		}
		base := pathBefore(text, i-len(sep))
		if base == "" {
			continue
		}
		if start := i - len(sep) - len(base); start > 0 && text[start-1] == '&' {
			continue
		}
		out = append(out, [2]string{base, sep})
	}
	return out
}

// pathBefore is the path of identifiers, `->` and `.` that ends at byte
// end of text (exclusive).
func pathBefore(text string, end int) string {
	i := end
scan:
	for i > 0 {
		switch c := text[i-1]; {
		case isIdentByte(c) || c == '.':
			i--
		case c == '>' && i >= 2 && text[i-2] == '-':
			i -= 2
		default:
			break scan
		}
	}
	p := text[i:end]
	if !isPath(p) {
		return ""
	}
	return p
}

// checkReads checks the reads of event e against the reads rules, in
// the reporting pass.
func (a *analysis) checkReads(s state, e *parse.Event) {
	rs := a.c.reads
	if len(rs) == 0 {
		return
	}
	for _, t := range readTexts(e) {
		for _, r := range rs {
			if !r.AppliesIn(a.fn.Name) {
				continue
			}
			for _, f := range r.Fields {
				_, name, _ := strings.Cut(f, ".")
				for _, rd := range fieldReads(t, name) {
					base, sep := rd[0], rd[1]
					btype := a.typeOf(base)
					if f := lastName(base); f != base && btype == f {
						btype = "" // a guess from the member's own name: its struct is out of view
					}
					if btype == "" && parse.IsIdentifier(base) {
						btype = ownerOf("->" + name)
					}
					if btype != "" && !contains(r.Fields, btype+"."+name) {
						continue // another struct's field of that name
					}
					if a.readLines[e.Pos.Line] {
						continue
					}
					read := *e
					read.LHS = parse.Expr{Text: base + sep + name, Norm: base + sep + name}
					read.Base = rootIdent(base)
					n := len(a.c.findings)
					a.checkGuarded(s, &read, r, base, f)
					if len(a.c.findings) > n {
						if a.readLines == nil {
							a.readLines = map[int]bool{}
						}
						a.readLines[e.Pos.Line] = true
					}
				}
			}
		}
	}
}

// calledInView tells whether some function in the input calls fi.
func (c *Checker) calledInView(fi *fnInfo) bool {
	if c.called == nil {
		c.called = map[*fnInfo]bool{}
		for _, g := range c.funcs {
			for _, callee := range c.callees(g) {
				c.called[callee] = true
			}
		}
	}
	return c.called[fi]
}

// noCallerUnmet reports a reads rule's requirement left unmet in a
// function nothing in view calls: its callers are the kernel's, which do
// not hold the subsystem's lock.
func (a *analysis) noCallerUnmet(n *need) {
	a.unmetAtTop(n, fmt.Sprintf("no function in view calls %s, and its callers from outside do not hold %s", a.fn.Name, strings.Join(n.classes, " or ")))
}
