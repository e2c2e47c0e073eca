//go:build cgo

package parse

import (
	"strconv"
	"strings"
	"unsafe"
)

// expr emits the events of the expression at node i in evaluation order:
// operands before the operation, arguments before the call.
//
// Nodes that only pass their operands' events on (parentheses, casts,
// unary and plain binary operators, commas, subscripts, fields,
// initializer lists) are walked with an explicit stack, so that
// `((((x))))`, `!!!!x` or `a+a+...+a` cost no Go stack however long they
// are. Constructs that must do something after their operands (a call
// emits its event, a conditional joins its branches) recurse, counted by
// enter against MaxNesting.
func (b *builder) expr(root int) {
	if root < 0 {
		return
	}
	if !b.enter(root, "expression") {
		return
	}
	t := b.t
	base := len(b.work)
	b.work = append(b.work, root)
	for len(b.work) > base {
		i := b.work[len(b.work)-1]
		b.work = b.work[:len(b.work)-1]
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
			b.update(arg, op)
			b.write(arg, op, -1)
		case kConditionalExpression:
			if !b.hasEvents(i) {
				b.work = append(b.work, b.childByField(i, fCondition))
				continue
			}
			b.conditional(i)
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
				continue
			}
			// the left operand first: it is on top
			if r >= 0 {
				b.work = append(b.work, r)
			}
			if l >= 0 {
				b.work = append(b.work, l)
			}
		case kParenthesizedExpression:
			if se, ok := b.f.stmtExprAt(t.nodes[i].start); ok {
				b.stmtExpr(se)
				continue
			}
			b.pushOperands(i)
		case kSizeofExpression, kAlignofExpression, kOffsetofExpression,
			kIdentifier, kFieldIdentifier, kNumberLiteral, kStringLiteral,
			kConcatenatedString, kCharLiteral, kTrue, kFalse, kNull,
			kTypeDescriptor, kComment, kGnuAsmExpression, kGenericExpression:
			// unevaluated, or nothing to record
		case kCompoundStatement:
			b.stmt(i)
		default:
			b.pushOperands(i)
		}
	}
	b.leave()
}

// conditional reads `c ? a : b` with calls in a or b as a branch, and a
// chain `c1 ? a1 : c2 ? a2 : ...` in a loop, as ifStmt reads an else-if
// chain: the same blocks as reading each alternative on its own.
func (b *builder) conditional(i int) {
	t := b.t
	base := len(b.joins)
	for {
		c := b.childByField(i, fCondition)
		then := b.childByField(i, fConsequence)
		alt := b.childByField(i, fAlternative)
		tb, fb, join := b.newBlock(), b.newBlock(), b.newBlock()
		b.joins = append(b.joins, join)
		b.ensure()
		b.cond(c, tb, fb)
		b.cur = tb
		b.expr(then)
		b.edge(b.cur, join, Edge{})
		b.cur = fb
		if alt >= 0 && t.kind(alt) == kConditionalExpression && b.hasEvents(alt) {
			i = alt
			continue
		}
		b.expr(alt)
		break
	}
	for k := len(b.joins) - 1; k >= base; k-- {
		b.edge(b.cur, b.joins[k], Edge{})
		b.cur = b.joins[k]
	}
	b.joins = b.joins[:base]
}

// pushOperands puts the named children of i that are evaluated (not its
// type) on the work stack, the first on top, so they are walked in order.
func (b *builder) pushOperands(i int) {
	t := b.t
	from := len(b.work)
	for c := t.firstChild(i); c >= 0; c = t.nextSibling(i, c) {
		if t.nodes[c].flags&flagNamed != 0 && t.nodes[c].field != fType {
			b.work = append(b.work, c)
		}
	}
	for x, y := from, len(b.work)-1; x < y; x, y = x+1, y-1 {
		b.work[x], b.work[y] = b.work[y], b.work[x]
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
// record: then a conditional around it needs real branches. The answer for
// every node of the tree is worked out once, in one backward pass, so that
// asking at each level of a deep chain (`a ? b : c ? d : ...`, `a && (b &&
// (...))`) stays linear.
func (b *builder) hasEvents(i int) bool {
	if i < 0 {
		return false
	}
	t := b.t
	if t.events == nil {
		t.events = make([]bool, len(t.nodes))
		for j := len(t.nodes) - 1; j >= 0; j-- {
			switch t.kind(j) {
			case kCallExpression, kAssignmentExpression, kUpdateExpression:
				t.events[j] = true
				continue
			case kParenthesizedExpression:
				if _, ok := b.f.stmtExprAt(t.nodes[j].start); ok {
					t.events[j] = true
					continue
				}
			case kSizeofExpression, kAlignofExpression, kOffsetofExpression:
				continue // unevaluated
			}
			for c := t.firstChild(j); c >= 0; c = t.nextSibling(j, c) {
				if t.events[c] {
					t.events[j] = true
					break
				}
			}
		}
	}
	return t.events[i]
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
		b.write(target, callee, -1)
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
			b.update(lv, op)
		}
		return
	}
	b.expr(r)
	b.subExprs(l)
	b.write(l, op, r)
}

// update records an in-place change of the plain variable at node l.
func (b *builder) update(l int, op string) {
	lv := b.strip(l)
	if lv < 0 || b.t.kind(lv) != kIdentifier {
		return
	}
	b.ensure()
	off := b.t.nodes[lv].start
	b.emit(Event{Kind: EvUpdate, Pos: b.pos(off), Off: off, Var: b.t.text(lv), Op: op})
}

// write records a store to the lvalue at node l, of the value at node r
// (the right operand of a compound assignment; -1 for `x->n++`).
func (b *builder) write(l int, op string, r int) {
	if l < 0 {
		return
	}
	t := b.t
	lv := b.strip(l)
	if t.kind(lv) == kIdentifier {
		return // a local or global variable, not memory through a pointer
	}
	ev := Event{Kind: EvWrite, Pos: b.pos(t.nodes[lv].start), Off: t.nodes[lv].start, LHS: b.norm(lv), Op: op}
	if r >= 0 {
		ev.Value = b.norm(r)
	}
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
//
// Wrappers that only flip or pass on the condition (`!`, `== 0`,
// likely(), a comma's right side) are followed in a loop, and so is the
// last operand of a && or || chain; the chain's left spine is kept in a
// slice. Only the other operands recurse, counted against MaxNesting.
func (b *builder) cond(c int, tb, fb *Block) {
	if !b.enter(c, "condition") {
		b.ensure()
		b.edge(b.cur, tb, Edge{})
		b.edge(b.cur, fb, Edge{})
		return
	}
	b.condLoop(c, tb, fb)
	b.leave()
}

// link is one && or || of a condition's left spine: its right operand,
// the targets of the whole, and the block where the right operand is
// tested.
type link struct {
	r      int
	tb, fb *Block
	mid    *Block
}

func (b *builder) condLoop(c int, tb, fb *Block) {
	t := b.t
	for {
		b.ensure()
		if c < 0 {
			b.edge(b.cur, tb, Edge{})
			b.edge(b.cur, fb, Edge{})
			return
		}
		c = b.strip(c)
		switch t.kind(c) {
		case kUnaryExpression:
			if strings.HasPrefix(t.text(c), "!") {
				c, tb, fb = b.childByField(c, fArgument), fb, tb
				continue
			}
		case kBinaryExpression:
			l, r := b.childByField(c, fLeft), b.childByField(c, fRight)
			switch b.operator(c) {
			case "&&", "||":
				// `((a && b) || c) && d`: the blocks between the tests
				// are made outermost first, as nested calls would
				var spine []link
				x, xt, xf := c, tb, fb
				for {
					op := ""
					if x >= 0 && t.kind(x) == kBinaryExpression {
						op = b.operator(x)
					}
					if op != "&&" && op != "||" {
						break
					}
					mid := b.newBlock()
					spine = append(spine, link{r: b.childByField(x, fRight), tb: xt, fb: xf, mid: mid})
					if op == "&&" {
						xt = mid
					} else {
						xf = mid
					}
					x = b.strip(b.childByField(x, fLeft))
				}
				b.cond(x, xt, xf)
				for k := len(spine) - 1; k > 0; k-- {
					b.cur = spine[k].mid
					b.cond(spine[k].r, spine[k].tb, spine[k].fb)
				}
				// the outermost right operand is the tail: no recursion
				b.cur = spine[0].mid
				c, tb, fb = spine[0].r, spine[0].tb, spine[0].fb
				continue
			case "==":
				if b.isZero(r) {
					c, tb, fb = l, fb, tb
					continue
				}
			case "!=":
				if b.isZero(r) {
					c = l
					continue
				}
				// `a != b` is `!(a == b)`: one condition text for both, so
				// that branches on either correlate
				b.expr(l)
				b.expr(r)
				eq := b.rawNorm(l) + "==" + b.rawNorm(r)
				at := b.pos(t.nodes[c].start)
				b.edge(b.cur, fb, Edge{Cond: eq, Pos: at})
				b.edge(b.cur, tb, Edge{Cond: eq, Neg: true, Pos: at})
				return
			}
		case kCallExpression:
			// likely()/unlikely() and friends do not change the condition
			if fn := b.childByField(c, fFunction); fn >= 0 {
				switch t.text(fn) {
				case "likely", "unlikely", "WARN_ON", "WARN_ON_ONCE", "unlikely_notrace":
					if args := b.namedChildren(b.childByField(c, fArguments), nil); len(args) == 1 {
						c = args[0]
						continue
					}
				}
			}
		case kAssignmentExpression:
			// `if ((page = lookup(x)))`: the events, then a test of the variable
			if b.operator(c) == "=" {
				b.expr(c)
				c = b.childByField(c, fLeft)
				continue
			}
		case kCommaExpression:
			b.expr(b.childByField(c, fLeft))
			c = b.childByField(c, fRight)
			continue
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
		at := b.pos(t.nodes[c].start)
		b.edge(b.cur, tb, Edge{Cond: n, Pos: at})
		b.edge(b.cur, fb, Edge{Cond: n, Neg: true, Pos: at})
		return
	}
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

// MaxExprText bounds the text an Expr keeps of one expression, as written
// and normalized. A longer one keeps its first MaxExprText bytes and a
// mark with its full length: no lock or condition is written that long,
// and without the bound every level of a deeply nested expression would
// copy all of the text under it (quadratic in the nesting).
const MaxExprText = 4096

// clip cuts an expression's source to MaxExprText bytes; long tells
// whether it did.
func clip(src []byte) ([]byte, bool) {
	if len(src) <= MaxExprText {
		return src, false
	}
	return src[:MaxExprText], true
}

// clipMark ends a clipped text: `…` and the length of the whole, which no
// expression as written contains.
func clipMark(s string, n int) string {
	return s + "…" + strconv.Itoa(n)
}

// exprText is the text of src as Expr.Text holds it: whitespace
// collapsed, clipped.
func exprText(src []byte) string {
	c, long := clip(src)
	text := collapse(unsafe.String(unsafe.SliceData(c), len(c)))
	if long {
		text = clipMark(text, len(src))
	}
	return text
}

// exprNorm is squeeze, clipped.
func exprNorm(src []byte) string {
	c, long := clip(src)
	n := squeeze(c)
	if long {
		n = clipMark(n, len(src))
	}
	return n
}

// norm returns the expression at node i as written and normalized.
func (b *builder) norm(i int) Expr {
	if i < 0 {
		return Expr{}
	}
	t := b.t
	text := exprText(t.src[t.nodes[i].start:t.nodes[i].end])
	j := b.strip(i)
	if t.kind(j) == kParenthesizedExpression {
		return Expr{Text: text, Norm: "({...})"} // a statement expression
	}
	if t.kind(j) == kPointerExpression && strings.HasPrefix(t.text(j), "&") {
		j = b.strip(b.childByField(j, fArgument))
	}
	if j < 0 {
		return Expr{Text: text}
	}
	return Expr{Text: text, Norm: exprNorm(t.src[t.nodes[j].start:t.nodes[j].end])}
}

// rawNorm is the text of node i without spaces, as written (no `&` or
// parentheses stripped): the form a comparison has inside Expr.Norm.
func (b *builder) rawNorm(i int) string {
	if i < 0 {
		return ""
	}
	return exprNorm(b.t.src[b.t.nodes[i].start:b.t.nodes[i].end])
}

// normText normalizes expression text that has no syntax tree (annotation
// arguments, macro arguments): leading `&` and parentheses around the
// whole are dropped. The pairs of parentheses are matched once, so that
// `((((x))))` of any depth takes one pass.
func normText(s string) Expr {
	c := s
	if len(c) > MaxExprText {
		c = c[:MaxExprText]
	}
	long := len(c) < len(s)
	text := collapse(c)
	n := strings.TrimSpace(text)
	if long {
		text = clipMark(text, len(s))
	}
	match := matchParens(n)
	lo, hi := 0, len(n)
	for lo < hi {
		switch {
		case isSpace(n[lo]):
			lo++
		case isSpace(n[hi-1]):
			hi--
		case n[lo] == '&':
			lo++
		case n[lo] == '(' && n[hi-1] == ')' && int(match[lo]) == hi-1:
			lo, hi = lo+1, hi-1
		default:
			goto done
		}
	}
done:
	norm := squeeze([]byte(n[lo:hi]))
	if long {
		norm = clipMark(norm, len(s))
	}
	return Expr{Text: text, Norm: norm}
}

// matchParens maps the index of each `(` of s to that of the `)` that
// closes it, -1 when none does.
func matchParens(s string) []int32 {
	if strings.IndexByte(s, '(') < 0 {
		return nil
	}
	match := make([]int32, len(s))
	var open []int32
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			match[i] = -1
			open = append(open, int32(i))
		case ')':
			if k := len(open); k > 0 {
				match[open[k-1]] = int32(i)
				open = open[:k-1]
			}
		}
	}
	return match
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
