package rules

import (
	"fmt"
	"strings"
)

// ftype is what a key of a rules file holds.
type ftype int

const (
	fString ftype = iota
	fStrings
	fBool
	fVersion
	fSeverity
	fKind
	fID
	fLocks
	fRules
)

type field struct {
	name string
	typ  ftype
}

// The keys a rules file may hold, at each level, in the order the valid
// keys are listed in messages. TestSchemaMatchesRawTypes keeps them in
// step with rawFile, rawLock and rawRule.
var (
	topFields  = []field{{"version", fVersion}, {"locks", fLocks}, {"rules", fRules}}
	lockFields = []field{{"doc", fString}, {"acquire", fStrings}, {"try", fStrings}, {"try-zero", fStrings}, {"acquire-nonnull", fStrings},
		{"release", fStrings}, {"held", fStrings}, {"sleeps", fBool}, {"single", fBool}, {"spin", fBool}}
	ruleFields = []field{{"id", fID}, {"kind", fKind}, {"severity", fSeverity}, {"message", fString},
		{"source", fString}, {"when", fStrings}, {"explain", fString}, {"bad", fString}, {"good", fString},
		{"fields", fStrings}, {"locks", fStrings}, {"fresh", fStrings}, {"publish", fStrings},
		{"calls", fStrings}, {"in", fStrings}, {"instance-from", fStrings}, {"order", fStrings}, {"first", fStrings}, {"taken-here", fBool}, {"reads", fBool}}
)

// fileKinds are the kinds of rule a file may define; a file may also
// give kind builtin to a built-in's id, to set its severity.
var fileKinds = []string{KindGuarded, KindRequires, KindOrder, KindForbidUnder, KindForbidCall, KindCallOrder}

// schemaChecker collects the problems of one file's tree.
type schemaChecker struct {
	file string
	errs []string
}

// errorf records a problem at a position; where the format gave none,
// the key path (rules[2].calls) says where instead.
func (c *schemaChecker) errorf(at pos, path, what, format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	if at.line > 0 {
		c.errs = append(c.errs, fmt.Sprintf("%s:%d:%d: %s: %s", c.file, at.line, at.col, what, msg))
		return
	}
	c.errs = append(c.errs, fmt.Sprintf("%s: %s: %s: %s", c.file, path, what, msg))
}

// checkTree checks a rules file's tree against the schema: known keys,
// each with a value of its type.
func checkTree(file string, root *tnode) []string {
	c := &schemaChecker{file: file}
	switch root.kind {
	case tNull:
		return nil
	case tMap:
	default:
		c.errorf(root.at, "(top)", "top level", "want a map with version, locks and rules, not %s", describe(root))
		return c.errs
	}
	c.keys(root, topFields, "", "top level", func(f field, k tkey, path string) {
		switch f.typ {
		case fVersion:
			if k.val.kind == tNull {
				return
			}
			if k.val.kind != tScalar || k.val.typ != sInt {
				c.errorf(k.at, path, "top level", "version: want the integer 1, not %s", describe(k.val))
			} else if k.val.str != "1" {
				c.errorf(k.at, path, "top level", "version: unsupported version %s (this locklint reads version 1)", k.val.str)
			}
		case fLocks:
			c.locks(k, path)
		case fRules:
			c.rules(k, path)
		}
	})
	return c.errs
}

func (c *schemaChecker) locks(k tkey, path string) {
	switch k.val.kind {
	case tNull:
		return
	case tMap:
	default:
		c.errorf(k.at, path, "top level", "locks: want a map from lock class names to classes, not %s", describe(k.val))
		return
	}
	for _, l := range k.val.keys {
		lpath := path + "." + l.name
		what := "lock " + l.name
		if l.name == "" {
			c.errorf(l.at, lpath, "locks", "a lock class needs a name")
			continue
		}
		if l.val.kind != tMap {
			c.errorf(l.at, lpath, what, "want a map of %s, not %s", names(lockFields), describe(l.val))
			continue
		}
		c.keys(l.val, lockFields, lpath, what, c.value(what))
	}
}

func (c *schemaChecker) rules(k tkey, path string) {
	switch k.val.kind {
	case tNull:
		return
	case tList:
	default:
		c.errorf(k.at, path, "top level", "rules: want a list of rules, not %s", describe(k.val))
		return
	}
	for i, r := range k.val.list {
		rpath := fmt.Sprintf("%s[%d]", path, i)
		what := fmt.Sprintf("rule %d", i+1)
		if id := r.get("id"); id != nil && isString(id) && validID(id.str) {
			what = "rule " + id.str
		}
		if r.kind != tMap {
			at := r.at
			if at.line == 0 {
				at = k.at
			}
			c.errorf(at, rpath, what, "want a map of %s, not %s", names(ruleFields), describe(r))
			continue
		}
		c.keys(r, ruleFields, rpath, what, c.value(what))
	}
}

// keys checks a map's keys against fields: an unknown key is an error
// (with the closest valid key when one is obviously meant), a key given
// twice too; each known key goes to check.
func (c *schemaChecker) keys(m *tnode, fields []field, path, what string, check func(field, tkey, string)) {
	seen := map[string]pos{}
	for _, k := range m.keys {
		kpath := k.name
		if path != "" {
			kpath = path + "." + k.name
		}
		f, ok := lookup(fields, k.name)
		if !ok {
			if s := suggest(k.name, fields); s != "" {
				c.errorf(k.at, kpath, what, "unknown key %q; did you mean %q?", k.name, s)
			} else {
				c.errorf(k.at, kpath, what, "unknown key %q (valid keys: %s)", k.name, names(fields))
			}
			continue
		}
		if first, dup := seen[k.name]; dup {
			if first.line > 0 {
				c.errorf(k.at, kpath, what, "%s given twice (first at line %d)", k.name, first.line)
			} else {
				c.errorf(k.at, kpath, what, "%s given twice", k.name)
			}
			continue
		}
		seen[k.name] = k.at
		check(f, k, kpath)
	}
}

// value checks a lock class's or rule's value for its key's type. A null
// value (`calls:` with nothing after it) leaves the key unset.
func (c *schemaChecker) value(what string) func(field, tkey, string) {
	return func(f field, k tkey, path string) {
		v := k.val
		if v.kind == tNull {
			return
		}
		at := v.at
		if at.line == 0 {
			at = k.at
		}
		switch f.typ {
		case fString:
			if !isString(v) {
				c.errorf(at, path, what, "%s: want a string, not %s", f.name, describe(v))
			}
		case fBool:
			if v.kind != tScalar || v.typ != sBool {
				c.errorf(at, path, what, "%s: want true or false, not %s", f.name, describe(v))
			}
		case fStrings:
			if v.kind != tList {
				hint := ""
				if isString(v) {
					hint = fmt.Sprintf(" (write [%q] for one)", v.str)
				}
				c.errorf(at, path, what, "%s: want a list of strings, not %s%s", f.name, describe(v), hint)
				return
			}
			for i, item := range v.list {
				if !isString(item) {
					iat := item.at
					if iat.line == 0 {
						iat = at
					}
					c.errorf(iat, fmt.Sprintf("%s[%d]", path, i), what, "%s: want a string in the list, not %s", f.name, describe(item))
				}
			}
		case fSeverity:
			if !isString(v) {
				c.errorf(at, path, what, "severity: want error, warning or info, not %s", describe(v))
			} else if Severity(v.str).Rank() == 0 {
				c.errorf(at, path, what, "severity: %q is not error, warning or info", v.str)
			}
		case fID:
			// An id is printed at the start of lines (explain, the rules
			// list) and used in suppression comments, which accept only
			// these characters.
			if !isString(v) {
				c.errorf(at, path, what, "id: want a string, not %s", describe(v))
			} else if !validID(v.str) {
				c.errorf(at, path, what, "id: %q is not an id (letters, digits, '-', '_' and '.')", v.str)
			}
		case fKind:
			// An unknown kind name is validate's to report, at the rule's
			// line: the command line's tests pin that message there.
			if !isString(v) {
				c.errorf(at, path, what, "kind: want one of %s, not %s", strings.Join(fileKinds, ", "), describe(v))
			}
		}
	}
}

func validID(id string) bool {
	if id == "" {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func isString(n *tnode) bool { return n.kind == tScalar && n.typ == sString }

// describe names a value's type for messages: "a string", "a list".
func describe(n *tnode) string {
	switch n.kind {
	case tMap:
		return "a map"
	case tList:
		return "a list"
	case tNull:
		return "nothing"
	}
	switch n.typ {
	case sString:
		return fmt.Sprintf("the string %q", n.str)
	case sInt:
		return "the integer " + n.str
	case sFloat:
		return "the number " + n.str
	case sBool:
		return "the boolean " + n.str
	}
	return "a " + n.typ
}

func lookup(fields []field, name string) (field, bool) {
	for _, f := range fields {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

func names(fields []field) string {
	var s []string
	for _, f := range fields {
		s = append(s, f.name)
	}
	return strings.Join(s, ", ")
}

func suggest(k string, fields []field) string {
	var words []string
	for _, f := range fields {
		words = append(words, f.name)
	}
	return suggestWord(k, words)
}

// suggestWord returns the word k was obviously meant to be: the same up
// to case and '_' for '-', or else the one word within a small edit
// distance (one edit for short words, two for longer). "" when none is,
// or when two are equally close.
func suggestWord(k string, words []string) string {
	norm := strings.ReplaceAll(strings.ToLower(k), "_", "-")
	for _, w := range words {
		if norm == w {
			return w
		}
	}
	best, bestD, tie := "", 3, false
	for _, w := range words {
		d := editDistance(norm, w)
		limit := 1
		if len(w) >= 6 {
			limit = 2
		}
		if len(w) < 3 || d > limit {
			continue
		}
		switch {
		case d < bestD:
			best, bestD, tie = w, d, false
		case d == bestD:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of neighbours each count one, so
// "aquire" is one from "acquire" and "kidn" one from "kind".
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 { // no key is that long; spare the quadratic table
		return len(ra) + len(rb)
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// decodeTree reads a checked tree into a rawFile. The tree has passed
// checkTree, so every key is known and every value has its type.
func decodeTree(root *tnode) rawFile {
	var raw rawFile
	strs := func(n *tnode) []string {
		var out []string
		for _, it := range n.list {
			out = append(out, it.str)
		}
		return out
	}
	if l := root.get("locks"); l != nil {
		for _, k := range l.keys {
			var rl rawLock
			for _, f := range k.val.keys {
				v := f.val
				switch f.name {
				case "doc":
					rl.Doc = v.str
				case "acquire":
					rl.Acquire = strs(v)
				case "try":
					rl.Try = strs(v)
				case "try-zero":
					rl.TryZero = strs(v)
				case "acquire-nonnull":
					rl.AcquireNonNull = strs(v)
				case "release":
					rl.Release = strs(v)
				case "held":
					rl.Held = strs(v)
				case "sleeps":
					rl.Sleeps = v.b
				case "single":
					rl.Single = v.b
				case "spin":
					rl.Spin = v.b
				}
			}
			raw.Locks = append(raw.Locks, namedLock{k.name, k.at.line, rl})
		}
	}
	if rs := root.get("rules"); rs != nil {
		for _, r := range rs.list {
			var rr rawRule
			for _, f := range r.keys {
				v := f.val
				switch f.name {
				case "id":
					rr.ID = v.str
				case "kind":
					rr.Kind = v.str
				case "severity":
					rr.Severity = v.str
				case "message":
					rr.Message = v.str
				case "source":
					rr.Source = v.str
				case "when":
					rr.When = strs(v)
				case "explain":
					rr.Explain = v.str
				case "bad":
					rr.Bad = v.str
				case "good":
					rr.Good = v.str
				case "fields":
					rr.Fields = strs(v)
				case "locks":
					rr.Locks = strs(v)
				case "fresh":
					rr.Fresh = strs(v)
				case "publish":
					rr.Publish = strs(v)
				case "calls":
					rr.Calls = strs(v)
				case "in":
					rr.In = strs(v)
				case "instance-from":
					rr.InstanceFrom = strs(v)
				case "order":
					rr.Order = strs(v)
				case "first":
					rr.First = strs(v)
				case "taken-here":
					rr.TakenHere = v.b
				case "reads":
					rr.Reads = v.b
				}
			}
			rr.line = r.at.line
			raw.Rules = append(raw.Rules, rr)
		}
	}
	return raw
}
