//go:build cgo

package parse

import (
	"fmt"
	"sort"
	"strings"
)

// builder turns one function_definition into a Function with its CFG.
type builder struct {
	f    *File
	t    *tree // the tree being walked (the file's, or a statement expression's)
	p    *prepared
	fn   *Function
	cur  *Block // nil when the current point is unreachable
	exit *Block

	breakTo, continueTo []*Block
	labels              map[string]*Block
	labelPos            map[string]uint32
	// guards are the scoped locks live at this point, innermost last.
	guards []guard
	// scopes are the byte ranges of the enclosing compound statements.
	scopes [][2]uint32
	// switchCtx collects case blocks for the innermost switch.
	switches []*switchCtx
	// lastCall is the index in cur.Events of the most recent call event,
	// so an assignment can name the call's result variable.
	lastCall int

	// depth counts the nested stmt, expr and cond calls under way (see
	// MaxNesting); work is expr's stack of nodes still to walk, shared by
	// nested calls, each of which uses the part above where it started.
	depth int
	work  []int
	// joins is ifStmt's stack of the join blocks of an else-if chain.
	joins []*Block
}

// MaxNesting bounds how deeply the IR builder nests while it reads a body:
// statements inside statements, and expressions that need their own
// control flow or ordering (calls in calls, assignments in assignments,
// conditionals, && and || with calls on the right). Past it, the
// construct is left out and the function gets a ParseError there, instead
// of a stack that grows with the input: Go cannot recover from a stack
// overflow. Plain nesting (parentheses, casts, unary and binary operators,
// commas, subscripts, fields, initializers) and else-if chains are walked
// without recursion and are not bounded by it. By this count the deepest
// function of Linux 6.1 (all 55,405 .c and .h files) nests 105 levels
// (lib/crypto/curve25519-fiat32.c), so the bound is ten times that.
const MaxNesting = 1000

// enter counts one more level of nesting at node i, or records that i is
// too deep (what names the construct) and tells the caller to skip it.
func (b *builder) enter(i int, what string) bool {
	if b.depth >= MaxNesting {
		off := b.t.nodes[0].start
		if i >= 0 {
			off = b.t.nodes[i].start
		}
		b.fn.ParseErrors = append(b.fn.ParseErrors, ParseError{Pos: b.pos(off),
			Msg: fmt.Sprintf("%s nested too deeply (more than %d levels): not analyzed", what, MaxNesting)})
		return false
	}
	b.depth++
	return true
}

func (b *builder) leave() { b.depth-- }

type guard struct {
	ev         Event
	start, end uint32 // the scope's byte range
}

type switchCtx struct {
	head     *Block
	cond     string
	prevCase *Block // the previous case's block, for fall-through
	hasDef   bool
}

func (b *builder) newBlock() *Block {
	blk := &Block{ID: len(b.fn.Blocks)}
	b.fn.Blocks = append(b.fn.Blocks, blk)
	return blk
}

func (b *builder) edge(from, to *Block, e Edge) {
	if from == nil || to == nil {
		return
	}
	e.To = to.ID
	from.Succs = append(from.Succs, e)
}

// ensure returns the current block, starting an unreachable one after a
// return or jump, so code there is still read.
func (b *builder) ensure() *Block {
	if b.cur == nil {
		b.cur = b.newBlock()
	}
	return b.cur
}

func (b *builder) emit(ev Event) {
	blk := b.ensure()
	blk.Events = append(blk.Events, ev)
}

func (b *builder) pos(off uint32) Pos { return b.f.pos(off) }

// buildFunction reads the function_definition at node i.
func (b *builder) buildFunction(i int) *Function {
	t := b.t
	fnode := &t.nodes[i]
	fn := &Function{
		File:      b.f.Name,
		StartByte: fnode.start,
		EndByte:   fnode.end,
		Pos:       b.pos(fnode.start),
		End:       b.pos(fnode.end),
	}
	b.fn = fn
	b.labels = map[string]*Block{}
	var typeNode, declNode, bodyNode = -1, -1, -1
	var knr []int
	for c := t.firstChild(i); c >= 0; c = t.nextSibling(i, c) {
		switch {
		case t.nodes[c].field == fType:
			typeNode = c
		case t.nodes[c].field == fDeclarator:
			declNode = c
		case t.nodes[c].field == fBody:
			bodyNode = c
		case t.kind(c) == kStorageClassSpecifier:
			if t.text(c) == "static" {
				fn.Static = true
			}
		case t.kind(c) == kDeclaration:
			knr = append(knr, c)
		}
	}
	if declNode < 0 || bodyNode < 0 {
		return nil
	}
	baseType := b.typeName(typeNode)
	fd, ptr := b.findFuncDeclarator(declNode)
	if fd < 0 {
		return nil
	}
	fn.ReturnType = Var{Type: baseType, Pointer: ptr}
	nameNode := b.childByField(fd, fDeclarator)
	for nameNode >= 0 && t.kind(nameNode) == kParenthesizedDeclarator {
		nameNode = b.firstNamed(nameNode)
	}
	if nameNode < 0 {
		return nil
	}
	fn.Name = t.text(nameNode)
	if e, ok := b.p.entries[t.nodes[nameNode].start]; ok {
		fn.Name = e.name
		fn.Entry = e.macro
		fn.ReturnType = Var{Type: e.ret}
	}
	// parameters, with K&R declarations supplying the types of bare names
	knrTypes := map[string]Var{}
	for _, d := range knr {
		for _, v := range b.declVars(d) {
			knrTypes[v.Name] = v
		}
	}
	if pl := b.childByField(fd, fParameters); pl >= 0 {
		for c := t.firstChild(pl); c >= 0; c = t.nextSibling(pl, c) {
			switch t.kind(c) {
			case kParameterDeclaration:
				if v, ok := b.paramVar(c); ok {
					fn.Params = append(fn.Params, v)
				}
			case kIdentifier:
				name := t.text(c)
				v, ok := knrTypes[name]
				if !ok {
					v = Var{Name: name, Type: "int", Pos: b.pos(t.nodes[c].start)}
				}
				fn.Params = append(fn.Params, v)
			}
		}
	}
	for _, a := range b.p.annots {
		if a.start >= fnode.start && a.start < t.nodes[bodyNode].start {
			fn.Annotations = append(fn.Annotations, Annotation{Kind: a.kind, Arg: normText(a.arg), Pos: b.pos(a.start)})
		}
	}
	fn.Body = b.pos(t.nodes[bodyNode].start)

	b.labelPos = map[string]uint32{}
	for j := bodyNode; j < int(t.nodes[bodyNode].next); j++ {
		if t.kind(j) == kLabeledStatement {
			if l := b.childByField(j, fLabel); l >= 0 {
				b.labelPos[t.text(l)] = t.nodes[j].start
			}
		}
	}
	b.cur = b.newBlock()
	b.exit = b.newBlock()
	fn.Exit = b.exit.ID
	b.stmt(bodyNode)
	b.edge(b.cur, b.exit, Edge{})
	compact(fn)
	numberEvents(fn)
	b.collectErrors(i)
	// statement expressions too deep to be read: their events are missing
	deep := b.f.tooDeep
	for k := sort.Search(len(deep), func(k int) bool { return deep[k] >= fnode.start }); k < len(deep) && deep[k] < fnode.end; k++ {
		b.fn.ParseErrors = append(b.fn.ParseErrors, ParseError{Pos: b.pos(deep[k]),
			Msg: fmt.Sprintf("statement expressions nested too deeply (more than %d levels): not analyzed", maxStmtExprDepth)})
	}
	// the limits were recorded as they were met, the tree's errors after
	sort.SliceStable(fn.ParseErrors, func(x, y int) bool {
		p, q := fn.ParseErrors[x].Pos, fn.ParseErrors[y].Pos
		if p.Line != q.Line {
			return p.Line < q.Line
		}
		return p.Col < q.Col
	})
	return fn
}

// collectErrors records ERROR and MISSING nodes inside node i.
func (b *builder) collectErrors(i int) {
	t := b.t
	end := int(t.nodes[i].next)
	for j := i; j < end; j++ {
		n := &t.nodes[j]
		switch {
		case symKind[n.sym] == kError:
			b.fn.ParseErrors = append(b.fn.ParseErrors, ParseError{Pos: b.pos(n.start), Msg: "syntax error"})
			j = int(n.next) - 1 // one report per ERROR subtree
		case n.flags&flagMissing != 0:
			b.fn.ParseErrors = append(b.fn.ParseErrors, ParseError{Pos: b.pos(n.start), Msg: "missing " + symNames[n.sym]})
		}
	}
}

func (b *builder) childByField(i int, f uint16) int {
	t := b.t
	for c := t.firstChild(i); c >= 0; c = t.nextSibling(i, c) {
		if t.nodes[c].field == f {
			return c
		}
	}
	return -1
}

func (b *builder) firstNamed(i int) int {
	t := b.t
	for c := t.firstChild(i); c >= 0; c = t.nextSibling(i, c) {
		if t.nodes[c].flags&flagNamed != 0 && t.kind(c) != kComment {
			return c
		}
	}
	return -1
}

// namedChildren returns the named children of i, comments left out.
func (b *builder) namedChildren(i int, buf []int) []int {
	t := b.t
	for c := t.firstChild(i); c >= 0; c = t.nextSibling(i, c) {
		if t.nodes[c].flags&flagNamed != 0 && t.kind(c) != kComment {
			buf = append(buf, c)
		}
	}
	return buf
}

// findFuncDeclarator digs through pointer and parenthesized declarators to
// the function_declarator, counting pointer levels of the return type.
// `int (*f(void))(int)` returns a function pointer: the function declarator
// that declares the name is the innermost one, and each one around it adds
// a level. A loop, not recursion, however deep the declarator.
func (b *builder) findFuncDeclarator(i int) (int, int) {
	t := b.t
	ptr := 0
	best, bestPtr := -1, 0
	for i >= 0 {
		switch t.kind(i) {
		case kFunctionDeclarator:
			best, bestPtr = i, ptr
			inner := b.childByField(i, fDeclarator)
			if inner < 0 || t.kind(inner) == kIdentifier {
				return i, ptr
			}
			ptr++
			i = inner
		case kPointerDeclarator:
			ptr++
			i = b.childByField(i, fDeclarator)
		case kParenthesizedDeclarator:
			i = b.firstNamed(i)
		default:
			// attributed_declarator and friends: look at the first named child
			i = b.firstNamed(i)
		}
	}
	return best, bestPtr
}

// typeName is the base type of a type specifier node.
func (b *builder) typeName(i int) string {
	if i < 0 {
		return ""
	}
	t := b.t
	switch t.kind(i) {
	case kStructSpecifier, kUnionSpecifier, kEnumSpecifier:
		if n := b.childByField(i, fieldName); n >= 0 {
			return t.text(n)
		}
		return "<anonymous>"
	}
	return collapse(t.text(i))
}

// declVars lists the variables a declaration declares, without walking
// initializers.
func (b *builder) declVars(d int) []Var {
	t := b.t
	base := b.typeName(b.childByField(d, fType))
	var out []Var
	for c := t.firstChild(d); c >= 0; c = t.nextSibling(d, c) {
		if t.nodes[c].field != fDeclarator {
			continue
		}
		decl := c
		if t.kind(decl) == kInitDeclarator {
			decl = b.childByField(decl, fDeclarator)
		}
		name, ptr := b.declName(decl)
		if name >= 0 {
			out = append(out, Var{Name: t.text(name), Type: base, Pointer: ptr, Pos: b.pos(t.nodes[name].start)})
		}
	}
	return out
}

// declName finds the identifier a declarator declares and its pointer depth.
func (b *builder) declName(i int) (int, int) {
	t := b.t
	ptr := 0
	for i >= 0 {
		switch t.kind(i) {
		case kIdentifier:
			return i, ptr
		case kPointerDeclarator, kArrayDeclarator:
			ptr++
			i = b.childByField(i, fDeclarator)
		case kFunctionDeclarator:
			// a function pointer variable: its name is inside
			i = b.childByField(i, fDeclarator)
		default:
			i = b.firstNamed(i)
		}
	}
	return -1, 0
}

func (b *builder) paramVar(p int) (Var, bool) {
	t := b.t
	base := b.typeName(b.childByField(p, fType))
	d := b.childByField(p, fDeclarator)
	if d < 0 {
		return Var{}, false // `void`, or an abstract declarator
	}
	name, ptr := b.declName(d)
	if name < 0 {
		return Var{}, false
	}
	return Var{Name: t.text(name), Type: base, Pointer: ptr, Pos: b.pos(t.nodes[name].start)}, true
}

func (b *builder) addLocal(v Var) {
	b.fn.Locals = append(b.fn.Locals, v)
}

// varType looks a variable up among the locals declared so far, then the
// parameters.
func (b *builder) varType(name string) (Var, bool) { return b.fn.VarType(name) }

// collapse turns each run of whitespace into one space.
func collapse(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\n' || c == '\t' || c == '\r' || c == ' ' && i+1 < len(s) && s[i+1] == ' ' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// numberEvents sets each event's Seq, in block order.
func numberEvents(fn *Function) {
	n := uint32(0)
	for _, blk := range fn.Blocks {
		for i := range blk.Events {
			n++
			blk.Events[i].Seq = n
		}
	}
	fn.NumEvents = int(n)
}
