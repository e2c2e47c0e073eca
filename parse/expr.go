package parse

import (
	"strings"
	"unsafe"
)

// expr emits the events of the expression at node i in evaluation order:
// operands before the operation, arguments before the call.
func (b *builder) expr(i int) {
	if i < 0 {
		return
	}
	t := b.t
	switch t.kind(i) {
	case kCallExpression:
		b.call(i)
	case kAssignmentExpression:
		b.assignment(i)
	case kUpdateExpression:
		arg := b.childByField(i, fArgument)
		b.subExprs(arg)
		op := "++"
		if strings.Contains(t.text(i), "--") {
			op = "--"
		}
		b.write(arg, op)
	case kConditionalExpression:
		c := b.childByField(i, fCondition)
		then := b.childByField(i, fConsequence)
		alt := b.childByField(i, fAlternative)
		if !b.hasEvents(then) && !b.hasEvents(alt) {
			b.expr(c)
			return
		}
		tb, fb, join := b.newBlock(), b.newBlock(), b.newBlock()
		b.ensure()
		b.cond(c, tb, fb)
		b.cur = tb
		b.expr(then)
		b.edge(b.cur, join, Edge{})
		b.cur = fb
		b.expr(alt)
		b.edge(b.cur, join, Edge{})
		b.cur = join
	case kBinaryExpression:
		op := b.operator(i)
		l, r := b.childByField(i, fLeft), b.childByField(i, fRight)
		if (op == "&&" || op == "||") && b.hasEvents(r) {
			rb, join := b.newBlock(), b.newBlock()
			b.ensure()
			if op == "&&" {
				b.cond(l, rb, join)
			} else {
				b.cond(l, join, rb)
			}
			b.cur = rb
			b.expr(r)
			b.edge(b.cur, join, Edge{})
			b.cur = join
			return
		}
		b.expr(l)
		b.expr(r)
	case kParenthesizedExpression:
		if se, ok := b.f.stmtExprAt(t.nodes[i].start); ok {
			b.stmtExpr(se)
			return
		}
		b.subExprs(i)
	case kSizeofExpression, kAlignofExpression, kOffsetofExpression,
		kIdentifier, kFieldIdentifier, kNumberLiteral, kStringLiteral,
		kConcatenatedString, kCharLiteral, kTrue, kFalse, kNull,
		kTypeDescriptor, kComment, kGnuAsmExpression, kGenericExpression:
		// unevaluated, or nothing to record
	case kCompoundStatement:
		b.stmt(i)
	default:
		b.subExprs(i)
	}
}

// subExprs walks the named children of i as expressions.
func (b *builder) subExprs(i int) {
	if i < 0 {
		return
	}
	t := b.t
	for c := t.firstChild(i); c >= 0; c = t.nextSibling(i, c) {
		if t.nodes[c].flags&flagNamed != 0 && t.nodes[c].field != fType {
			b.expr(c)
		}
	}
}

// hasEvents reports whether the subtree at i contains anything expr would
// record: then a conditional around it needs real branches.
func (b *builder) hasEvents(i int) bool {
	if i < 0 {
		return false
	}
	t := b.t
	for j := i; j < int(t.nodes[i].next); j++ {
		switch t.kind(j) {
		case kCallExpression, kAssignmentExpression, kUpdateExpression:
			return true
		case kParenthesizedExpression:
			if _, ok := b.f.stmtExprAt(t.nodes[j].start); ok {
				return true
			}
		case kSizeofExpression, kAlignofExpression, kOffsetofExpression:
			j = int(t.nodes[j].next) - 1
		}
	}
	return false
}

// operator returns the operator token of a binary or assignment expression.
func (b *builder) operator(i int) string {
	if o := b.childByField(i, fOperator); o >= 0 {
		return b.t.text(o)
	}
	return ""
}

// writeCalls are calls that store their second argument into their first.
var writeCalls = map[string]bool{
	"WRITE_ONCE": true, "rcu_assign_pointer": true, "smp_store_release": true,
	"smp_store_mb": true, "RCU_INIT_POINTER": true,
}

func (b *builder) call(i int) {
	t := b.t
	fnode := b.childByField(i, fFunction)
	argl := b.childByField(i, fArguments)
	var argNodes []int
	if argl >= 0 {
		argNodes = b.namedChildren(argl, nil)
	}
	off := t.nodes[i].start
	// guard(class)(&lock): a lock held to the end of the enclosing block
	if fnode >= 0 && t.kind(fnode) == kCallExpression {
		inner := b.childByField(fnode, fFunction)
		if inner >= 0 && t.text(inner) == "guard" {
			for _, a := range argNodes {
				b.expr(a)
			}
			args := []Expr{}
			if il := b.childByField(fnode, fArguments); il >= 0 {
				for _, a := range b.namedChildren(il, nil) {
					args = append(args, b.norm(a))
				}
			}
			for _, a := range argNodes {
				args = append(args, b.norm(a))
			}
			g := guard{ev: Event{Kind: EvCall, Pos: b.pos(off), Off: off, Callee: "guard", Args: args, Call: b.norm(i).Norm}}
			if n := len(b.scopes); n > 0 {
				g.start, g.end = b.scopes[n-1][0], b.scopes[n-1][1]
			}
			b.emit(g.ev)
			b.guards = append(b.guards, g)
			b.lastCall = len(b.cur.Events) - 1
			return
		}
	}
	callee := ""
	if fnode >= 0 {
		callee = b.norm(fnode).Norm
		if t.kind(fnode) != kIdentifier {
			b.expr(fnode) // calls inside the callee expression
		}
	}
	if writeCalls[callee] && len(argNodes) == 2 {
		b.expr(argNodes[1])
		b.subExprs(argNodes[0])
		target := argNodes[0]
		if callee == "smp_store_release" || callee == "smp_store_mb" {
			target = b.addrOf(target)
		}
		b.write(target, callee)
		return
	}
	args := make([]Expr, 0, len(argNodes))
	for _, a := range argNodes {
		b.expr(a)
		args = append(args, b.norm(a))
	}
	b.emit(Event{Kind: EvCall, Pos: b.pos(off), Off: off, Callee: callee, Args: args, Call: b.norm(i).Norm})
	b.lastCall = len(b.cur.Events) - 1
}

// addrOf turns `&x` into x for calls that take the address of what they store to.
func (b *builder) addrOf(i int) int {
	j := b.strip(i)
	if b.t.kind(j) == kPointerExpression && strings.HasPrefix(b.t.text(j), "&") {
		return b.childByField(j, fArgument)
	}
	return i
}

func (b *builder) assignment(i int) {
	t := b.t
	l, r := b.childByField(i, fLeft), b.childByField(i, fRight)
	op := b.operator(i)
	lv := b.strip(l)
	if lv >= 0 && t.kind(lv) == kIdentifier {
		if op == "=" {
			b.assignVar(t.text(lv), t.nodes[lv].start, r)
		} else {
			b.expr(r)
		}
		return
	}
	b.expr(r)
	b.subExprs(l)
	b.write(l, op)
}

// write records a store to the lvalue at node l.
func (b *builder) write(l int, op string) {
	if l < 0 {
		return
	}
	t := b.t
	lv := b.strip(l)
	if t.kind(lv) == kIdentifier {
		return // a local or global variable, not memory through a pointer
	}
	ev := Event{Kind: EvWrite, Pos: b.pos(t.nodes[lv].start), Off: t.nodes[lv].start, LHS: b.norm(lv), Op: op}
	// walk down field/subscript/deref chains to the root variable
	var fields []string
	j := lv
	for j >= 0 {
		j = b.strip(j)
		switch t.kind(j) {
		case kFieldExpression:
			if f := b.childByField(j, fField); f >= 0 {
				fields = append(fields, t.text(f))
			}
			j = b.childByField(j, fArgument)
			continue
		case kSubscriptExpression:
			j = b.childByField(j, fArgument)
			continue
		case kPointerExpression:
			j = b.childByField(j, fArgument)
			continue
		case kIdentifier:
			ev.Base = t.text(j)
		}
		break
	}
	for k, n := 0, len(fields); k < n/2; k++ {
		fields[k], fields[n-1-k] = fields[n-1-k], fields[k]
	}
	ev.Fields = fields
	if ev.Base != "" && len(fields) == 1 {
		if v, ok := b.varType(ev.Base); ok {
			ev.BaseType = v.Type
		}
	}
	b.emit(ev)
}

// cond emits the events of condition c and edges to tb when it holds and
// to fb when it does not, splitting && and || into their own branches so
// that a trylock in `a && trylock(l)` is seen on the right path.
func (b *builder) cond(c int, tb, fb *Block) {
	b.ensure()
	if c < 0 {
		b.edge(b.cur, tb, Edge{})
		b.edge(b.cur, fb, Edge{})
		return
	}
	t := b.t
	c = b.strip(c)
	switch t.kind(c) {
	case kUnaryExpression:
		if strings.HasPrefix(t.text(c), "!") {
			b.cond(b.childByField(c, fArgument), fb, tb)
			return
		}
	case kBinaryExpression:
		l, r := b.childByField(c, fLeft), b.childByField(c, fRight)
		switch b.operator(c) {
		case "&&":
			mid := b.newBlock()
			b.cond(l, mid, fb)
			b.cur = mid
			b.cond(r, tb, fb)
			return
		case "||":
			mid := b.newBlock()
			b.cond(l, tb, mid)
			b.cur = mid
			b.cond(r, tb, fb)
			return
		case "==":
			if b.isZero(r) {
				b.cond(l, fb, tb)
				return
			}
		case "!=":
			if b.isZero(r) {
				b.cond(l, tb, fb)
				return
			}
			// `a != b` is `!(a == b)`: one condition text for both, so
			// that branches on either correlate
			b.expr(l)
			b.expr(r)
			eq := b.rawNorm(l) + "==" + b.rawNorm(r)
			b.edge(b.cur, fb, Edge{Cond: eq})
			b.edge(b.cur, tb, Edge{Cond: eq, Neg: true})
			return
		}
	case kCallExpression:
		// likely()/unlikely() and friends do not change the condition
		if fn := b.childByField(c, fFunction); fn >= 0 {
			switch t.text(fn) {
			case "likely", "unlikely", "WARN_ON", "WARN_ON_ONCE", "unlikely_notrace":
				if args := b.namedChildren(b.childByField(c, fArguments), nil); len(args) == 1 {
					b.cond(args[0], tb, fb)
					return
				}
			}
		}
	case kAssignmentExpression:
		// `if ((page = lookup(x)))`: the events, then a test of the variable
		if b.operator(c) == "=" {
			b.expr(c)
			b.cond(b.childByField(c, fLeft), tb, fb)
			return
		}
	case kCommaExpression:
		b.expr(b.childByField(c, fLeft))
		b.cond(b.childByField(c, fRight), tb, fb)
		return
	case kNumberLiteral, kTrue, kFalse:
		if b.isZero(c) {
			b.edge(b.cur, fb, Edge{})
		} else {
			b.edge(b.cur, tb, Edge{})
		}
		return
	}
	b.expr(c)
	n := b.norm(c).Norm
	b.edge(b.cur, tb, Edge{Cond: n})
	b.edge(b.cur, fb, Edge{Cond: n, Neg: true})
}

// condBack is cond for a do-while, whose true edge goes back to the top.
func (b *builder) condBack(c int, body, after *Block) {
	before := len(b.ensure().Succs)
	from := b.cur
	b.cond(c, body, after)
	// mark the edges into the body as back edges
	for k := before; k < len(from.Succs); k++ {
		if from.Succs[k].To == body.ID {
			from.Succs[k].Back = true
		}
	}
	for _, blk := range b.fn.Blocks[from.ID+1:] {
		for k := range blk.Succs {
			if blk.Succs[k].To == body.ID {
				blk.Succs[k].Back = true
			}
		}
	}
}

func (b *builder) isZero(i int) bool {
	i = b.strip(i)
	switch b.t.kind(i) {
	case kNull, kFalse:
		return true
	case kNumberLiteral:
		s := strings.TrimRight(strings.ToLower(b.t.text(i)), "ul")
		return s == "0" || s == "0x0" || s == "00"
	case kIdentifier:
		return b.t.text(i) == "NULL"
	}
	return false
}

// strip removes parentheses and casts around an expression.
func (b *builder) strip(i int) int {
	t := b.t
	for i >= 0 {
		switch t.kind(i) {
		case kParenthesizedExpression:
			if _, ok := b.f.stmtExprAt(t.nodes[i].start); ok {
				return i
			}
			i = b.firstNamed(i)
		case kCastExpression:
			i = b.childByField(i, fValue)
		default:
			return i
		}
	}
	return i
}

// norm returns the expression at node i as written and normalized.
func (b *builder) norm(i int) Expr {
	if i < 0 {
		return Expr{}
	}
	text := collapse(b.t.text(i))
	j := b.strip(i)
	t := b.t
	if t.kind(j) == kParenthesizedExpression {
		return Expr{Text: text, Norm: "({...})"} // a statement expression
	}
	if t.kind(j) == kPointerExpression && strings.HasPrefix(t.text(j), "&") {
		j = b.strip(b.childByField(j, fArgument))
	}
	if j < 0 {
		return Expr{Text: text}
	}
	return Expr{Text: text, Norm: squeeze(t.src[t.nodes[j].start:t.nodes[j].end])}
}

// rawNorm is the text of node i without spaces, as written (no `&` or
// parentheses stripped): the form a comparison has inside Expr.Norm.
func (b *builder) rawNorm(i int) string {
	if i < 0 {
		return ""
	}
	return squeeze(b.t.src[b.t.nodes[i].start:b.t.nodes[i].end])
}

// normText normalizes expression text that has no syntax tree (annotation
// arguments, macro arguments).
func normText(s string) Expr {
	text := collapse(s)
	n := strings.TrimSpace(text)
	for {
		n = strings.TrimSpace(n)
		if strings.HasPrefix(n, "&") {
			n = n[1:]
			continue
		}
		if strings.HasPrefix(n, "(") && strings.HasSuffix(n, ")") && balanced(n[1:len(n)-1]) {
			n = n[1 : len(n)-1]
			continue
		}
		break
	}
	return Expr{Text: text, Norm: squeeze([]byte(n))}
}

func balanced(s string) bool {
	d := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			d++
		case ')':
			d--
			if d < 0 {
				return false
			}
		}
	}
	return d == 0
}

// squeeze drops whitespace and comments outside literals.
func squeeze(src []byte) string {
	if !hasSpaceOrComment(src) {
		return unsafe.String(unsafe.SliceData(src), len(src))
	}
	out := make([]byte, 0, len(src))
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case isSpace(c):
		case c == '\\' && i+1 < len(src) && src[i+1] == '\n':
			i++
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			j := i + 2
			for j+1 < len(src) && !(src[j] == '*' && src[j+1] == '/') {
				j++
			}
			i = j + 1
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(src) && src[j] != c {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(src) {
				j = len(src) - 1
			}
			out = append(out, src[i:j+1]...)
			i = j
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

func hasSpaceOrComment(b []byte) bool {
	for i, c := range b {
		if isSpace(c) || c == '\\' || c == '/' && i+1 < len(b) && (b[i+1] == '*' || b[i+1] == '/') {
			return true
		}
	}
	return false
}

func isIdentText(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdent(s[i]) {
			return false
		}
	}
	return true
}

// IsIdentifier tells whether s is a C identifier.
func IsIdentifier(s string) bool { return isIdentText(s) }

// NormalizeText puts expression text that has no syntax tree (a rule's
// pattern, an annotation's argument) in the normalized form of Expr.Norm.
func NormalizeText(s string) string { return normText(s).Norm }
