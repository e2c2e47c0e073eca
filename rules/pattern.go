package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/locklint/locklint/parse"
)

// Pattern is a call shape: a callee and its arguments. Patterns are tiny:
//
//	vmlist_modify_lock($mm)         bind the argument as the lock instance
//	spin_lock(&$x->page_table_lock) match the shape, bind $x
//	pte_offset_map_lock(_, _, _, &$l) `_` matches any argument
//	kmalloc(...)                    `...` matches any remaining arguments
//	*->vm_ops->*(...)               `*` in the callee matches any text
//
// Arguments are compared in the IR's normalized form (no spaces, no outer
// parentheses, casts or leading `&`), so `&$x->lock` and `$x->lock` are the
// same pattern.
type Pattern struct {
	Src string
	// Result names the metavariable bound to the variable the call's
	// value is stored in (`$av = page_lock_anon_vma_read(...)`).
	Result string
	// Cond restricts a match: CondVar must have type CondType, or its
	// text must match CondRe.
	CondVar, CondType string
	condRe            *regexp.Regexp
	Callee            string
	callee            []string // Callee split at its `*`s; nil when it has none
	Args              []argPattern
	// Rest is set when the last argument pattern is `...`.
	Rest bool
}

type argPattern struct {
	any bool
	// addr is set for `&$x`: an argument passed without `&` is then a
	// pointer to the lock, and the instance is `*arg`
	addr bool
	vars []string // metavariables bound by re's groups, in order
	re   *regexp.Regexp
}

var (
	metaVar      = regexp.MustCompile(`\$[A-Za-z_][A-Za-z0-9_]*`)
	resultPrefix = regexp.MustCompile(`^(\$[A-Za-z_][A-Za-z0-9_]*)\s*=\s*`)
)

// parseCond reads `$x: type` or `$x ~ regexp`.
func (p *Pattern) parseCond(c string) error {
	if i := strings.Index(c, "~"); i >= 0 {
		p.CondVar = strings.TrimSpace(c[:i])
		re, err := regexp.Compile(strings.TrimSpace(c[i+1:]))
		if err != nil {
			return err
		}
		p.condRe = re
	} else if i := strings.Index(c, ":"); i >= 0 {
		p.CondVar = strings.TrimSpace(c[:i])
		p.CondType = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(c[i+1:]), "*"))
		p.CondType = strings.TrimSpace(strings.TrimPrefix(p.CondType, "struct "))
	} else {
		return fmt.Errorf("condition %q is neither `$x: type` nor `$x ~ regexp`", c)
	}
	if !metaVar.MatchString(p.CondVar) {
		return fmt.Errorf("condition %q does not start with a metavariable", c)
	}
	return nil
}

// ParsePattern reads a pattern.
func ParsePattern(src string) (Pattern, error) {
	p := Pattern{Src: src}
	s := strings.TrimSpace(src)
	if i := strings.LastIndex(s, " if "); i >= 0 {
		if err := p.parseCond(strings.TrimSpace(s[i+4:])); err != nil {
			return p, fmt.Errorf("pattern %q: %v", src, err)
		}
		s = strings.TrimSpace(s[:i])
	}
	if m := resultPrefix.FindStringSubmatch(s); m != nil {
		p.Result = m[1]
		s = s[len(m[0]):]
	}
	open := strings.IndexByte(s, '(')
	if open < 0 {
		// a bare name matches the callee with any arguments
		if s == "" {
			return p, fmt.Errorf("empty pattern")
		}
		p.Callee, p.Rest = s, true
		p.compileCallee()
		return p, nil
	}
	if !strings.HasSuffix(s, ")") {
		return p, fmt.Errorf("pattern %q: missing `)` at the end", src)
	}
	p.Callee = strings.TrimSpace(s[:open])
	if p.Callee == "" {
		return p, fmt.Errorf("pattern %q: no callee", src)
	}
	p.compileCallee()
	inner := strings.TrimSpace(s[open+1 : len(s)-1])
	if inner == "" {
		return p, nil
	}
	args := splitArgs(inner)
	for i, a := range args {
		a = strings.TrimSpace(a)
		switch {
		case a == "...":
			if i != len(args)-1 {
				return p, fmt.Errorf("pattern %q: `...` must be the last argument", src)
			}
			p.Rest = true
		case a == "_":
			p.Args = append(p.Args, argPattern{any: true})
		default:
			ap, err := compileArg(a)
			ap.addr = strings.HasPrefix(a, "&") && metaVar.FindString(a) == strings.TrimSpace(a[1:])
			if err != nil {
				return p, fmt.Errorf("pattern %q: %v", src, err)
			}
			p.Args = append(p.Args, ap)
		}
	}
	return p, nil
}

func (p *Pattern) compileCallee() {
	if !strings.Contains(p.Callee, "*") {
		return
	}
	parts := strings.Split(p.Callee, "*")
	for i := range parts {
		parts[i] = normalize(parts[i])
	}
	p.callee = parts
}

// globMatch tells whether s is the literal parts in order with anything
// between them (a callee pattern's `*`): a prefix, a suffix and the rest
// in between, which every call's callee is tested against, so no regexp.
func globMatch(parts []string, s string) bool {
	first, last := parts[0], parts[len(parts)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, m := range parts[1 : len(parts)-1] {
		i := strings.Index(s, m)
		if i < 0 {
			return false
		}
		s = s[i+len(m):]
	}
	return true
}

// compileArg turns `&$x->lock` into an anchored regexp over normalized text.
func compileArg(a string) (argPattern, error) {
	n := normalize(a)
	var ap argPattern
	var sb strings.Builder
	sb.WriteString("^")
	last := 0
	for _, loc := range metaVar.FindAllStringIndex(n, -1) {
		sb.WriteString(wildcards(n[last:loc[0]]))
		sb.WriteString("(.+?)")
		ap.vars = append(ap.vars, n[loc[0]:loc[1]])
		last = loc[1]
	}
	sb.WriteString(wildcards(n[last:]))
	sb.WriteString("$")
	re, err := regexp.Compile(sb.String())
	if err != nil {
		return ap, err
	}
	ap.re = re
	return ap, nil
}

// wildcards quotes literal pattern text, letting a lone `_` between
// operators (as in `_->vm_ops`) match any operand.
func wildcards(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '_' && (i == 0 || !isWord(s[i-1])) && (i+1 == len(s) || !isWord(s[i+1])) {
			sb.WriteString(".+?")
			continue
		}
		sb.WriteString(regexp.QuoteMeta(s[i : i+1]))
	}
	return sb.String()
}

func isWord(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// normalize puts pattern text in the IR's normalized form.
func normalize(s string) string {
	return parse.NormalizeText(s)
}

// Bindings maps metavariables to the normalized text they matched.
type Bindings map[string]string

// TypeOf tells the type name of an expression where it is known ("" if
// not): the declared type of a variable, or of the field it ends in.
type TypeOf func(expr string) string

// MatchEvent matches a call event, honouring the pattern's result binding
// and condition.
func (p *Pattern) MatchEvent(e *parse.Event, typeOf TypeOf) (Bindings, bool) {
	b, ok := p.Match(e.Callee, e.Args)
	if !ok {
		return nil, false
	}
	if p.Result != "" {
		if e.Result == "" {
			return nil, false
		}
		if b == nil {
			b = Bindings{}
		}
		b[p.Result] = e.Result
	}
	if p.CondVar != "" {
		v, bound := b[p.CondVar]
		if !bound {
			return nil, false
		}
		if p.condRe != nil && !p.condRe.MatchString(v) {
			return nil, false
		}
		if p.CondType != "" && (typeOf == nil || typeOf(v) != p.CondType) {
			return nil, false
		}
	}
	return b, true
}

// Match tells whether a call matches, and what it binds.
func (p *Pattern) Match(callee string, args []parse.Expr) (Bindings, bool) {
	if p.callee != nil {
		if !globMatch(p.callee, callee) {
			return nil, false
		}
	} else if callee != p.Callee {
		return nil, false
	}
	if len(args) < len(p.Args) || !p.Rest && len(args) != len(p.Args) {
		return nil, false
	}
	var b Bindings
	for i, ap := range p.Args {
		if ap.any {
			continue
		}
		m := ap.re.FindStringSubmatch(args[i].Norm)
		if m == nil {
			return nil, false
		}
		if ap.addr && !strings.HasPrefix(strings.TrimLeft(args[i].Text, "( "), "&") {
			m[1] = "*" + m[1]
		}
		for k, v := range ap.vars {
			if b == nil {
				b = Bindings{}
			}
			if prev, ok := b[v]; ok && prev != m[k+1] {
				return nil, false
			}
			b[v] = m[k+1]
		}
	}
	return b, true
}

// First returns the binding of the first metavariable of the pattern (the
// lock instance, by convention: the result's, if it binds one), or ""
// when it binds none.
func (p *Pattern) First(b Bindings) string {
	if p.Result != "" {
		return b[p.Result]
	}
	for _, ap := range p.Args {
		if len(ap.vars) > 0 {
			return b[ap.vars[0]]
		}
	}
	return ""
}

func splitArgs(s string) []string {
	var out []string
	depth, from := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[from:i])
				from = i + 1
			}
		}
	}
	return append(out, s[from:])
}
