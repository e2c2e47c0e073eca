//go:build cgo

package parse

import "strings"

// stmt adds the statement at node i to the CFG. Statements inside
// statements recurse, counted against MaxNesting; an else-if chain does
// not (see ifStmt).
func (b *builder) stmt(i int) {
	if !b.enter(i, "statements") {
		return
	}
	b.stmt1(i)
	b.leave()
}

func (b *builder) stmt1(i int) {
	t := b.t
	switch t.kind(i) {
	case kCompoundStatement:
		b.compound(i)
	case kDeclaration:
		b.declaration(i)
	case kExpressionStatement:
		if c := b.firstNamed(i); c >= 0 {
			b.expr(c)
			if b.cur != nil && b.noReturn(c) {
				// `BUG();`, `panic(...)`: the path ends here, with
				// whatever it holds
				b.cur = nil
			}
		}
	case kIfStatement:
		b.ifStmt(i)
	case kWhileStatement:
		if m, ok := b.p.loops[t.nodes[i].start]; ok {
			b.macroStmt(i, m)
		} else {
			b.whileStmt(i)
		}
	case kDoStatement:
		b.doStmt(i)
	case kForStatement:
		b.forStmt(i)
	case kSwitchStatement:
		b.switchStmt(i)
	case kCaseStatement:
		b.caseStmt(i)
	case kBreakStatement:
		b.jump(b.breakTo, i)
	case kContinueStatement:
		b.jump(b.continueTo, i)
	case kReturnStatement:
		b.returnStmt(i)
	case kGotoStatement:
		b.gotoStmt(i)
	case kLabeledStatement:
		b.labeledStmt(i)
	case kAttributedStatement:
		for c := t.firstChild(i); c >= 0; c = t.nextSibling(i, c) {
			if t.kind(c) != kAttributeDeclaration {
				b.stmt(c)
			}
		}
	case kPreprocIf, kPreprocIfdef, kPreprocElse, kPreprocElif:
		b.preprocStmt(i)
	case kError:
		// Read what tree-sitter did recognise inside the broken part.
		for c := t.firstChild(i); c >= 0; c = t.nextSibling(i, c) {
			if t.nodes[c].flags&flagNamed != 0 {
				b.stmt(c)
			}
		}
	case kComment, kTypeDefinition, kStructSpecifier, kUnionSpecifier,
		kEnumSpecifier, kPreprocDef, kPreprocFunctionDef, kPreprocCall,
		kPreprocInclude, kFunctionDefinition, kStatementIdentifier,
		kPrimitiveType, kTypeIdentifier, kSizedTypeSpecifier,
		kTypeQualifier, kStorageClassSpecifier:
		// no events
	default:
		if t.nodes[i].flags&flagNamed != 0 {
			// an expression where a statement was expected (inside ERROR)
			b.expr(i)
		}
	}
}

func (b *builder) compound(i int) {
	t := b.t
	nguards := len(b.guards)
	b.scopes = append(b.scopes, [2]uint32{t.nodes[i].start, t.nodes[i].end})
	for c := t.firstChild(i); c >= 0; c = t.nextSibling(i, c) {
		if t.nodes[c].flags&flagNamed != 0 {
			b.stmt(c)
		}
	}
	// scoped locks taken in this block are released where it ends
	if b.cur != nil {
		for k := len(b.guards) - 1; k >= nguards; k-- {
			b.scopeEnd(b.guards[k], t.nodes[i].end-1)
		}
	}
	b.guards = b.guards[:nguards]
	b.scopes = b.scopes[:len(b.scopes)-1]
}

func (b *builder) scopeEnd(g guard, off uint32) {
	ev := g.ev
	ev.Kind = EvScopeEnd
	ev.Off = off
	ev.Pos = b.pos(off)
	ev.Result = ""
	b.emit(ev)
}

func (b *builder) declaration(d int) {
	t := b.t
	base := b.typeName(b.childByField(d, fType))
	for c := t.firstChild(d); c >= 0; c = t.nextSibling(d, c) {
		if t.nodes[c].field != fDeclarator {
			continue
		}
		decl, val := c, -1
		if t.kind(c) == kInitDeclarator {
			decl = b.childByField(c, fDeclarator)
			val = b.childByField(c, fValue)
		}
		name, ptr := b.declName(decl)
		if name < 0 {
			continue
		}
		v := Var{Name: t.text(name), Type: base, Pointer: ptr, Pos: b.pos(t.nodes[name].start)}
		b.addLocal(v)
		if val >= 0 {
			b.assignVar(v.Name, t.nodes[name].start, val)
		}
	}
}

// assignVar records `name = <node val>` after the events of val.
func (b *builder) assignVar(name string, off uint32, val int) {
	b.lastCall = -1
	b.expr(val)
	if call := b.resultCall(val); call {
		b.cur.Events[b.lastCall].Result = name
	}
	b.emit(Event{Kind: EvAssign, Pos: b.pos(off), Off: off, Var: name, Value: b.norm(val)})
}

// resultCall tells whether node val, under parentheses and casts, is the
// call whose event was emitted last.
func (b *builder) resultCall(val int) bool {
	v := b.strip(val)
	return b.t.kind(v) == kCallExpression && b.lastCall >= 0 && b.cur != nil &&
		b.lastCall < len(b.cur.Events) && b.cur.Events[b.lastCall].Off == b.t.nodes[v].start
}

// ifStmt reads an if statement and the else-if chain after it in a loop:
// generated code has chains of many thousands of branches, and each link
// is two levels deeper in the syntax tree. The blocks and edges are those
// that reading each `else if` as a nested statement would give.
func (b *builder) ifStmt(i int) {
	t := b.t
	base := len(b.joins)
	for {
		cond := b.childByField(i, fCondition)
		then := b.childByField(i, fConsequence)
		alt := b.childByField(i, fAlternative)
		tb, fb, join := b.newBlock(), b.newBlock(), b.newBlock()
		b.joins = append(b.joins, join)
		b.ensure()
		if cond >= 0 {
			b.cond(cond, tb, fb)
		} else {
			b.edge(b.cur, tb, Edge{})
			b.edge(b.cur, fb, Edge{})
		}
		b.cur = tb
		if then >= 0 {
			b.stmt(then)
		}
		b.edge(b.cur, join, Edge{})
		b.cur = fb
		if alt < 0 {
			break
		}
		if t.kind(alt) != kElseClause {
			b.stmt(alt)
			break
		}
		if next := b.elseIf(alt); next >= 0 {
			i = next
			continue
		}
		for c := t.firstChild(alt); c >= 0; c = t.nextSibling(alt, c) {
			if t.nodes[c].flags&flagNamed != 0 {
				b.stmt(c)
			}
		}
		break
	}
	// close the chain innermost first, each join flowing into the next
	for k := len(b.joins) - 1; k >= base; k-- {
		b.edge(b.cur, b.joins[k], Edge{})
		b.cur = b.joins[k]
	}
	b.joins = b.joins[:base]
}

// elseIf returns the if statement an else clause holds alone (comments
// aside, which have no events), or -1.
func (b *builder) elseIf(alt int) int {
	t := b.t
	found := -1
	for c := t.firstChild(alt); c >= 0; c = t.nextSibling(alt, c) {
		if t.nodes[c].flags&flagNamed == 0 || t.kind(c) == kComment {
			continue
		}
		if found >= 0 || t.kind(c) != kIfStatement {
			return -1
		}
		found = c
	}
	return found
}

// loop runs body between head and after, with break and continue targets.
func (b *builder) loopBody(body int, cont, after *Block) {
	b.breakTo = append(b.breakTo, after)
	b.continueTo = append(b.continueTo, cont)
	if body >= 0 {
		b.stmt(body)
	}
	b.breakTo = b.breakTo[:len(b.breakTo)-1]
	b.continueTo = b.continueTo[:len(b.continueTo)-1]
}

func (b *builder) whileStmt(i int) {
	head, body, after := b.newBlock(), b.newBlock(), b.newBlock()
	b.ensure()
	b.edge(b.cur, head, Edge{})
	b.cur = head
	b.cond(b.childByField(i, fCondition), body, after)
	b.cur = body
	b.loopBody(b.childByField(i, fBody), head, after)
	b.edge(b.cur, head, Edge{Back: true})
	b.cur = after
}

func (b *builder) doStmt(i int) {
	t := b.t
	body, condb, after := b.newBlock(), b.newBlock(), b.newBlock()
	b.ensure()
	b.edge(b.cur, body, Edge{})
	b.cur = body
	// do_each_thread(g, t) { ... } while_each_thread(g, t);
	var whileMacro *macroLoop
	for c := t.firstChild(i); c >= 0; c = t.nextSibling(i, c) {
		if t.nodes[c].flags&flagNamed != 0 {
			continue
		}
		if m, ok := b.p.loops[t.nodes[c].start]; ok {
			if strings.HasPrefix(m.name, "do_each") {
				args := splitArgs(m.args)
				if len(args) > 1 && isIdentText(args[1].Norm) {
					off := t.nodes[c].start
					b.emit(Event{Kind: EvAssign, Pos: b.pos(off), Off: off, Var: args[1].Norm, Value: normText(m.name + "(" + m.args + ")")})
				}
			} else {
				m := m
				whileMacro = &m
			}
		}
	}
	b.loopBody(b.childByField(i, fBody), condb, after)
	b.edge(b.cur, condb, Edge{})
	b.cur = condb
	if whileMacro != nil {
		cond := normText(whileMacro.name + "(" + whileMacro.args + ")").Norm
		b.edge(condb, body, Edge{Cond: cond, Back: true})
		b.edge(condb, after, Edge{Cond: cond, Neg: true})
	} else {
		b.condBack(b.childByField(i, fCondition), body, after)
	}
	b.cur = after
}

// splitArgs splits macro argument text at top-level commas.
func splitArgs(s string) []Expr {
	var out []Expr
	for _, sp := range splitTopLevel([]byte(s), 0, len(s)) {
		out = append(out, normText(s[sp[0]:sp[1]]))
	}
	return out
}

func (b *builder) forStmt(i int) {
	t := b.t
	init, cond, update, body := -1, -1, -1, -1
	for c := t.firstChild(i); c >= 0; c = t.nextSibling(i, c) {
		switch t.nodes[c].field {
		case fInitializer:
			init = c
		case fCondition:
			cond = c
		case fUpdate:
			update = c
		case fBody:
			body = c
		}
	}
	if init >= 0 {
		if t.kind(init) == kDeclaration {
			b.declaration(init)
		} else {
			b.expr(init)
		}
	}
	head, bodyb, upd, after := b.newBlock(), b.newBlock(), b.newBlock(), b.newBlock()
	b.ensure()
	b.edge(b.cur, head, Edge{})
	b.cur = head
	if cond >= 0 {
		b.cond(cond, bodyb, after)
	} else {
		b.edge(head, bodyb, Edge{})
	}
	b.cur = bodyb
	b.loopBody(body, upd, after)
	b.edge(b.cur, upd, Edge{})
	b.cur = upd
	if update >= 0 {
		b.expr(update)
	}
	b.edge(b.cur, head, Edge{Back: true})
	b.cur = after
}

// macroStmt handles a statement macro that prep turned into `while`:
// scoped_guard() holds a lock across its body; iterators loop zero or more
// times with their first argument as the cursor.
func (b *builder) macroStmt(i int, m macroLoop) {
	t := b.t
	args := b.macroArgs(b.childByField(i, fCondition))
	call := m.name + "(" + collapse(m.args) + ")"
	off := t.nodes[i].start
	body := b.childByField(i, fBody)
	if isScopedGuard(m.name) {
		g := guard{ev: Event{Kind: EvCall, Pos: b.pos(off), Off: off, Callee: m.name, Args: args, Call: normText(call).Norm},
			start: t.nodes[i].start, end: t.nodes[i].end}
		b.emit(g.ev)
		b.guards = append(b.guards, g)
		n := len(b.guards)
		if body >= 0 {
			b.stmt(body)
		}
		if b.cur != nil {
			b.scopeEnd(g, t.nodes[i].end-1)
		}
		b.guards = b.guards[:n-1]
		return
	}
	head, bodyb, after := b.newBlock(), b.newBlock(), b.newBlock()
	b.ensure()
	b.edge(b.cur, head, Edge{})
	norm := normText(call).Norm
	b.edge(head, bodyb, Edge{Cond: norm, Iter: true})
	b.edge(head, after, Edge{Cond: norm, Neg: true, Iter: true})
	b.cur = bodyb
	// The cursor is a local the macro sets each time round. A parameter
	// given first is what the walk is over, not its cursor
	// (`virtio_mem_sbm_for_each_mb(vm, id, state)`, `for_each_sg(sgl, sg,
	// n, i)`): read as assigned, the locks taken on it before the loop
	// would be lost.
	for _, c := range iteratorCursors(m.name) {
		if c < len(args) && isIdentText(args[c].Norm) && !b.isParam(args[c].Norm) {
			b.emit(Event{Kind: EvAssign, Pos: b.pos(off), Off: off, Var: args[c].Norm, Value: normText(call)})
		}
	}
	b.loopBody(body, head, after)
	b.edge(b.cur, head, Edge{Back: true})
	b.cur = after
}

// cursorArgs are the iterators whose cursors are not (only) their first
// argument: `for_each_thread(p, t)` walks p's threads with t,
// `xa_for_each(xa, index, entry)` sets index and entry.
var cursorArgs = map[string][]int{
	"for_each_thread": {1}, "for_each_sg": {1}, "for_each_sgtable_sg": {1}, "for_each_sgtable_dma_sg": {1},
	"for_each_vma": {1}, "for_each_vma_range": {1}, "mas_for_each": {1}, "for_each_child_of_node": {1},
	"for_each_available_child_of_node": {1}, "device_for_each_child_node": {1}, "fwnode_for_each_child_node": {1},
	"fwnode_for_each_available_child_node": {1}, "for_each_netdev": {1}, "for_each_netdev_rcu": {1},
	"for_each_netdev_safe": {1, 2}, "for_each_netdev_continue": {1}, "idr_for_each_entry": {1, 2},
	"idr_for_each_entry_ul": {1, 3}, "xa_for_each": {1, 2}, "xa_for_each_start": {1, 2}, "xa_for_each_range": {1, 2},
	"xa_for_each_marked": {1, 2}, "kvm_for_each_vcpu": {0, 1}, "for_each_process_thread": {0, 1},
	"hash_for_each": {1, 2}, "hash_for_each_rcu": {1, 2}, "hash_for_each_possible": {1}, "hash_for_each_possible_rcu": {1},
	"hash_for_each_safe": {1, 2, 3}, "hash_for_each_possible_safe": {1, 2},
	"list_for_each_entry_safe": {0, 1}, "list_for_each_entry_safe_reverse": {0, 1}, "list_for_each_safe": {0, 1},
	"hlist_for_each_entry_safe": {0, 1}, "list_for_each_entry_safe_continue": {0, 1}, "list_for_each_entry_safe_from": {0, 1},
	"hlist_for_each_safe": {0, 1}, "llist_for_each_safe": {0, 1}, "llist_for_each_entry_safe": {0, 1},
	"plist_for_each_entry_safe": {0, 1}, "rbtree_postorder_for_each_entry_safe": {0, 1},
	// the skb queue walks: the queue first, then the skb (and the next one)
	"skb_queue_walk": {1}, "skb_queue_walk_safe": {1, 2}, "skb_queue_walk_from": {1}, "skb_queue_walk_from_safe": {1, 2},
	"skb_queue_reverse_walk": {1}, "skb_queue_reverse_walk_safe": {1, 2}, "skb_queue_reverse_walk_from_safe": {1, 2},
	"skb_queue_walk_rcu": {1}, "skb_list_walk_safe": {1, 2},
}

// iteratorCursors are the arguments an iterator macro sets each time
// round: its first, unless cursorArgs says otherwise.
func iteratorCursors(name string) []int {
	if cs, ok := cursorArgs[name]; ok {
		return cs
	}
	return []int{0}
}

// isParam tells whether name is a parameter of the function being built
// and no local of the same name hides it.
func (b *builder) isParam(name string) bool {
	for _, v := range b.fn.Locals {
		if v.Name == name {
			return false
		}
	}
	for _, v := range b.fn.Params {
		if v.Name == name {
			return true
		}
	}
	return false
}

func isScopedGuard(name string) bool {
	return name == "scoped_guard" || name == "scoped_cond_guard"
}

// macroArgs lists the arguments of a rewritten macro from its
// `( a, b, c )` condition.
func (b *builder) macroArgs(c int) []Expr {
	if c < 0 {
		return nil
	}
	t := b.t
	c = b.firstNamed(c)
	var out []Expr
	for c >= 0 && t.kind(c) == kCommaExpression {
		out = append(out, b.norm(b.childByField(c, fLeft)))
		c = b.childByField(c, fRight)
	}
	if c >= 0 {
		out = append(out, b.norm(c))
	}
	return out
}

func (b *builder) switchStmt(i int) {
	t := b.t
	cond := b.childByField(i, fCondition)
	if cond >= 0 {
		b.expr(cond)
	}
	head := b.ensure()
	after := b.newBlock()
	sc := &switchCtx{head: head, cond: b.norm(cond).Norm}
	b.switches = append(b.switches, sc)
	b.breakTo = append(b.breakTo, after)
	b.cur = nil // code before the first case is unreachable
	if body := b.childByField(i, fBody); body >= 0 {
		if t.kind(body) == kCompoundStatement {
			b.compound(body)
		} else {
			b.stmt(body)
		}
	}
	b.edge(b.cur, after, Edge{})
	if !sc.hasDef {
		b.edge(head, after, Edge{Cond: sc.cond, Case: "default"})
	}
	b.breakTo = b.breakTo[:len(b.breakTo)-1]
	b.switches = b.switches[:len(b.switches)-1]
	b.cur = after
}

func (b *builder) caseStmt(i int) {
	t := b.t
	blk := b.newBlock()
	// fall-through from the previous case
	b.edge(b.cur, blk, Edge{})
	label := "default"
	if v := b.childByField(i, fValue); v >= 0 {
		label = collapse(t.text(v))
	}
	if n := len(b.switches); n > 0 {
		sc := b.switches[n-1]
		b.edge(sc.head, blk, Edge{Cond: sc.cond, Case: label})
		if label == "default" {
			sc.hasDef = true
		}
	}
	b.cur = blk
	for c := t.firstChild(i); c >= 0; c = t.nextSibling(i, c) {
		if t.nodes[c].field == fValue || t.nodes[c].flags&flagNamed == 0 {
			continue
		}
		b.stmt(c)
	}
}

// noReturnCalls are the kernel's calls that never come back.
var noReturnCalls = map[string]bool{
	"BUG": true, "panic": true, "do_exit": true, "make_task_dead": true, "kthread_exit": true,
	"kthread_complete_and_exit": true, "__module_put_and_kthread_exit": true,
	"module_put_and_kthread_exit": true, "unreachable": true, "__builtin_unreachable": true,
	"__builtin_trap": true, "do_group_exit": true, "cpu_startup_entry": true,
}

// noReturn tells whether the statement's expression i is a call that never
// returns.
func (b *builder) noReturn(i int) bool {
	t := b.t
	if t.kind(i) != kCallExpression {
		return false
	}
	f := b.childByField(i, fFunction)
	return f >= 0 && t.kind(f) == kIdentifier && noReturnCalls[t.text(f)]
}

func (b *builder) jump(targets []*Block, i int) {
	if len(targets) == 0 || b.cur == nil {
		b.cur = nil
		return
	}
	b.edge(b.cur, targets[len(targets)-1], Edge{})
	b.cur = nil
}

func (b *builder) returnStmt(i int) {
	t := b.t
	off := t.nodes[i].start
	ev := Event{Kind: EvReturn, Pos: b.pos(off), Off: off}
	if v := b.firstNamed(i); v >= 0 {
		b.expr(v)
		ev.Value = b.norm(v)
	}
	for k := len(b.guards) - 1; k >= 0; k-- {
		b.scopeEnd(b.guards[k], off)
	}
	b.emit(ev)
	b.edge(b.cur, b.exit, Edge{})
	b.cur = nil
}

func (b *builder) label(name string) *Block {
	lb, ok := b.labels[name]
	if !ok {
		lb = b.newBlock()
		b.labels[name] = lb
	}
	return lb
}

func (b *builder) gotoStmt(i int) {
	t := b.t
	off := t.nodes[i].start
	l := b.childByField(i, fLabel)
	if l < 0 {
		return
	}
	name := t.text(l)
	// leaving a guard's scope releases it
	target, known := b.labelPos[name]
	for k := len(b.guards) - 1; k >= 0; k-- {
		g := b.guards[k]
		if !known || target < g.start || target >= g.end {
			b.scopeEnd(g, off)
		}
	}
	b.emit(Event{Kind: EvGoto, Pos: b.pos(off), Off: off, Label: name})
	b.edge(b.cur, b.label(name), Edge{})
	b.cur = nil
}

func (b *builder) labeledStmt(i int) {
	t := b.t
	l := b.childByField(i, fLabel)
	if l < 0 {
		return
	}
	name := t.text(l)
	lb := b.label(name)
	b.edge(b.cur, lb, Edge{})
	b.cur = lb
	off := t.nodes[i].start
	lb.Events = append(lb.Events, Event{Kind: EvLabel, Pos: b.pos(off), Off: off, Label: name})
	for c := t.firstChild(i); c >= 0; c = t.nextSibling(i, c) {
		if c != l && t.nodes[c].flags&flagNamed != 0 {
			b.stmt(c)
		}
	}
}

// preprocStmt models #if/#ifdef inside a body as a branch: each
// configuration is a path.
func (b *builder) preprocStmt(i int) {
	t := b.t
	join := b.newBlock()
	from := b.ensure()
	cond := preprocCond(b, i)
	thenb := b.newBlock()
	b.edge(from, thenb, Edge{Cond: cond})
	b.cur = thenb
	alt := -1
	for c := t.firstChild(i); c >= 0; c = t.nextSibling(i, c) {
		if t.nodes[c].field == fAlternative {
			alt = c
			continue
		}
		if t.nodes[c].field == fCondition || t.nodes[c].field == fieldName || t.nodes[c].flags&flagNamed == 0 {
			continue
		}
		b.stmt(c)
	}
	b.edge(b.cur, join, Edge{})
	if alt >= 0 {
		b.cur = b.newBlock()
		b.edge(from, b.cur, Edge{Cond: cond, Neg: true})
		b.stmt(alt)
		b.edge(b.cur, join, Edge{})
	} else if cond != "" {
		b.edge(from, join, Edge{Cond: cond, Neg: true})
	}
	b.cur = join
}

func preprocCond(b *builder, i int) string {
	t := b.t
	switch t.kind(i) {
	case kPreprocIfdef:
		n := b.childByField(i, fieldName)
		if n < 0 {
			return ""
		}
		first := t.firstChild(i)
		if first >= 0 && strings.HasPrefix(t.text(first), "#ifndef") {
			return "!defined(" + t.text(n) + ")"
		}
		return "defined(" + t.text(n) + ")"
	case kPreprocIf, kPreprocElif:
		if c := b.childByField(i, fCondition); c >= 0 {
			return "#if " + b.norm(c).Norm
		}
	}
	return ""
}
