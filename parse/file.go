//go:build cgo

package parse

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
)

// File is one parsed C file.
type File struct {
	Name      string
	Functions []*Function
	// Structs maps a struct or union name defined in this file to its
	// fields and their base types, for resolving `a->b->c` chains.
	Structs map[string]map[string]Var
	// Bytes is the size of the input.
	Bytes int
	// TopLevelErrors counts ERROR/MISSING nodes outside function bodies.
	TopLevelErrors []Pos
	// MissedBodies are function bodies that the parse lost inside an
	// ERROR node (see missedBodies).
	MissedBodies []Pos
	// Statics are the timers, works and tasklets the file defines at top
	// level with their callbacks (`static DEFINE_TIMER(t, cb);`).
	Statics []Static
	// StaticLocks are the locks the file defines for itself alone
	// (`static DEFINE_SPINLOCK(freezer_lock);`): no other file names them.
	StaticLocks []string

	lines []uint32 // byte offset of each line start
	// sub holds the trees of statement expressions, keyed by the offset
	// of their `(` in the file.
	sub map[uint32]subTree
	// tooDeep are the offsets, in order, of the statement expressions
	// nested deeper than maxStmtExprDepth, which are not read
	tooDeep []uint32
}

// maxStmtExprDepth is how many levels of statement expressions inside
// statement expressions are read, each level one more parse of a buffer
// the size of the file; the kernel's deepest nest a handful of levels.
const maxStmtExprDepth = 8

type subTree struct {
	t    *tree
	node int // the compound_statement inside `({ ... })`
}

// Error is an input problem at a place in a file.
type Error struct {
	File string
	Pos  Pos
	Msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
}

func (f *File) pos(off uint32) Pos {
	k := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > off }) - 1
	if k < 0 {
		k = 0
	}
	return Pos{Line: k + 1, Col: int(off-f.lines[k]) + 1}
}

func (f *File) stmtExprAt(off uint32) (subTree, bool) {
	if f.sub == nil {
		return subTree{}, false
	}
	st, ok := f.sub[off]
	return st, ok
}

// stmtExpr walks a statement expression's block in the current flow.
func (b *builder) stmtExpr(st subTree) {
	saved := b.t
	b.t = st.t
	b.stmt(st.node)
	b.collectErrors(st.node)
	b.t = saved
}

// maxFileSize bounds what one file may hold; tree-sitter works in 32-bit offsets.
const maxFileSize = 1 << 30

// ParseFile parses one C source file into its functions' IR.
func ParseFile(ctx context.Context, name string, src []byte) (*File, error) {
	if len(src) > maxFileSize {
		return nil, &Error{File: name, Pos: Pos{1, 1}, Msg: fmt.Sprintf("file too large (%d bytes)", len(src))}
	}
	// The IR's strings point into this private copy instead of copying
	// each token out of it.
	src = bytes.Clone(src)
	f := &File{Name: name, Bytes: len(src), lines: lineStarts(src)}
	if err := binaryCheck(f, src); err != nil {
		return nil, err
	}
	p := prep(src)
	if err := f.build(ctx, src, p); err != nil {
		return nil, err
	}
	f.MissedBodies = f.missedBodies(src)
	if f.brokenFunctions()+len(f.MissedBodies) == 0 || !hasConditional(src) {
		return f, nil
	}
	// Some functions did not parse and #if may be why: read the parts
	// around them again with one configuration inside function bodies,
	// and take that reading for the functions the first one got wrong.
	selectConfig(p.src)
	g := &File{Name: name, Bytes: len(src), lines: f.lines}
	if err := g.build(ctx, src, p, f.retryRanges(len(src))...); err != nil {
		return nil, err
	}
	f.merge(g)
	f.MissedBodies = f.missedBodies(src)
	return f, nil
}

// merge takes from g each function that f lacks or read with more errors.
func (f *File) merge(g *File) {
	byBody := map[Pos]int{}
	for i, fn := range f.Functions {
		byBody[fn.Body] = i
	}
	for _, fn := range g.Functions {
		i, ok := byBody[fn.Body]
		switch {
		case !ok:
			f.Functions = append(f.Functions, fn)
		case len(fn.ParseErrors) < len(f.Functions[i].ParseErrors):
			f.Functions[i] = fn
		}
	}
	// stable, and by end too: two readings may give functions that start
	// at one byte (an ERROR node's debris), whose order must not vary
	sort.SliceStable(f.Functions, func(i, j int) bool {
		a, b := f.Functions[i], f.Functions[j]
		if a.StartByte != b.StartByte {
			return a.StartByte < b.StartByte
		}
		return a.EndByte < b.EndByte
	})
}

// build parses the prepared source (or the given ranges of it) and builds
// every function's IR.
func (f *File) build(ctx context.Context, src []byte, p *prepared, ranges ...sitter.Range) error {
	t, err := parseTree(ctx, p.src, ranges...)
	if err != nil {
		return &Error{File: f.Name, Pos: Pos{1, 1}, Msg: "parse: " + err.Error()}
	}
	t.src = src // node texts come from the original bytes
	if len(p.stmtExprs) > 0 {
		if err := f.parseStmtExprs(ctx, src, p); err != nil {
			return err
		}
	}
	b := &builder{f: f, t: t, p: p}
	f.walkTop(b, 0)
	f.sub = nil // the statement expressions' trees are read; let them go
	return nil
}

// retryRanges covers each function with parse errors and each lost body,
// from the end of the clean function before it to the start of the clean
// function after it.
func (f *File) retryRanges(size int) []sitter.Range {
	type span struct{ start, end uint32 }
	var clean []span
	var bad []uint32
	for _, fn := range f.Functions {
		if len(fn.ParseErrors) == 0 {
			clean = append(clean, span{fn.StartByte, fn.EndByte})
		} else {
			bad = append(bad, fn.StartByte)
		}
	}
	for _, p := range f.MissedBodies {
		bad = append(bad, f.lines[p.Line-1])
	}
	sort.Slice(bad, func(i, j int) bool { return bad[i] < bad[j] })
	var out []span
	for _, off := range bad {
		k := sort.Search(len(clean), func(i int) bool { return clean[i].start > off })
		r := span{0, uint32(size)}
		if k > 0 {
			r.start = clean[k-1].end
		}
		if k < len(clean) {
			r.end = clean[k].start
		}
		if n := len(out); n > 0 && r.start <= out[n-1].end {
			if r.end > out[n-1].end {
				out[n-1].end = r.end
			}
			continue
		}
		out = append(out, r)
	}
	ranges := make([]sitter.Range, len(out))
	for i, r := range out {
		sp, ep := f.pos(r.start), f.pos(r.end)
		ranges[i] = sitter.Range{
			StartByte:  r.start,
			EndByte:    r.end,
			StartPoint: sitter.Point{Row: uint32(sp.Line - 1), Column: uint32(sp.Col - 1)},
			EndPoint:   sitter.Point{Row: uint32(ep.Line - 1), Column: uint32(ep.Col - 1)},
		}
	}
	return ranges
}

func (f *File) brokenFunctions() int {
	n := 0
	for _, fn := range f.Functions {
		if len(fn.ParseErrors) > 0 {
			n++
		}
	}
	return n
}

// walkTop finds function definitions and struct definitions anywhere
// outside function bodies (at top level, inside #if blocks, in ERROR
// nodes that swallowed a definition).
func (f *File) walkTop(b *builder, root int) {
	t := b.t
	end := len(t.nodes)
	for i := root; i < end; i++ {
		n := &t.nodes[i]
		if k := symKind[n.sym]; k == kMacroTypeSpecifier || k == kFunctionDeclarator || k == kCallExpression {
			if st, ok := staticOf(t.text(i)); ok {
				st.Pos = f.pos(n.start)
				if k := len(f.Statics); k == 0 || f.Statics[k-1].Pos != st.Pos {
					f.Statics = append(f.Statics, st) // (once for nested nodes of one text)
				}
			}
		}
		if symKind[n.sym] == kDeclaration {
			for _, name := range staticLocksOf(t.text(i)) {
				if !slices.Contains(f.StaticLocks, name) {
					f.StaticLocks = append(f.StaticLocks, name)
				}
			}
		}
		switch symKind[n.sym] {
		case kFunctionDefinition:
			b.t = t
			if fn := b.buildFunction(i); fn != nil {
				f.Functions = append(f.Functions, fn)
			}
			i = int(n.next) - 1
		case kStructSpecifier, kUnionSpecifier:
			f.addStruct(b, i)
		case kError:
			f.TopLevelErrors = append(f.TopLevelErrors, f.pos(n.start))
		default:
			if n.flags&(flagMissing) != 0 {
				f.TopLevelErrors = append(f.TopLevelErrors, f.pos(n.start))
			}
		}
	}
}

// Static is a timer, work or tasklet defined at file scope by a macro that
// names its callback: DEFINE_TIMER(name, cb), DECLARE_WORK(name, cb),
// DECLARE_DELAYED_WORK(name, cb), DECLARE_TASKLET(name, cb).
type Static struct {
	Macro    string
	Name, Fn string
	Pos      Pos
}

// staticMacros are the definitions Static reads; each names the object
// first and its callback second.
var staticMacros = map[string]bool{"DEFINE_TIMER": true, "DECLARE_WORK": true, "DECLARE_DELAYED_WORK": true,
	"DECLARE_DEFERRABLE_WORK": true, "DECLARE_TASKLET": true, "DECLARE_TASKLET_OLD": true, "DECLARE_TASKLET_DISABLED": true}

// lockMacros define a lock object at file scope, named by their only
// argument.
var lockMacros = map[string]bool{"DEFINE_SPINLOCK": true, "DEFINE_RAW_SPINLOCK": true, "DEFINE_MUTEX": true,
	"DEFINE_RWLOCK": true, "DECLARE_RWSEM": true, "DEFINE_SEMAPHORE": true, "DEFINE_SEQLOCK": true}

// lockTypes are the lock types a plain declaration may define.
var lockTypes = map[string]bool{"spinlock_t": true, "raw_spinlock_t": true, "rwlock_t": true, "struct mutex": true,
	"struct rw_semaphore": true, "struct semaphore": true, "seqlock_t": true}

// staticLocksOf reads the locks a declaration's text defines for its
// file: `static DEFINE_SPINLOCK(name);` (tree-sitter reads the macro as a
// type and the name as a declarator in parentheses) and `static
// spinlock_t a, b;`.
func staticLocksOf(text string) []string {
	rest, ok := strings.CutPrefix(text, "static ")
	if !ok {
		return nil
	}
	rest = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), ";"))
	if open := strings.IndexByte(rest, '('); open > 0 {
		if !lockMacros[strings.TrimSpace(rest[:open])] || !strings.HasSuffix(rest, ")") {
			return nil
		}
		if name := strings.TrimSpace(rest[open+1 : len(rest)-1]); IsIdentifier(name) {
			return []string{name}
		}
		return nil
	}
	for ty := range lockTypes {
		names, ok := strings.CutPrefix(rest, ty+" ")
		if !ok {
			continue
		}
		var out []string
		for _, n := range strings.Split(names, ",") {
			if n = strings.TrimSpace(n); IsIdentifier(n) {
				out = append(out, n)
			}
		}
		return out
	}
	return nil
}

// staticOf reads `MACRO(name, cb ...)` from a declaration's text.
func staticOf(text string) (Static, bool) {
	open := strings.IndexByte(text, '(')
	if open <= 0 || !staticMacros[text[:open]] || !strings.HasSuffix(text, ")") {
		return Static{}, false
	}
	args := strings.Split(text[open+1:len(text)-1], ",")
	if len(args) < 2 {
		return Static{}, false
	}
	name, fn := strings.TrimSpace(args[0]), strings.TrimSpace(args[1])
	if !IsIdentifier(name) || !IsIdentifier(fn) {
		return Static{}, false
	}
	return Static{Macro: text[:open], Name: name, Fn: fn}, true
}

// addStruct records the fields of a struct definition.
func (f *File) addStruct(b *builder, i int) {
	t := b.t
	name := b.childByField(i, fieldName)
	body := b.childByField(i, fBody)
	if name < 0 || body < 0 {
		return
	}
	fields := map[string]Var{}
	for c := t.firstChild(body); c >= 0; c = t.nextSibling(body, c) {
		if t.kind(c) != kFieldDeclaration {
			continue
		}
		base := b.typeName(b.childByField(c, fType))
		for d := t.firstChild(c); d >= 0; d = t.nextSibling(c, d) {
			if t.nodes[d].field != fDeclarator {
				continue
			}
			id, ptr := b.fieldDeclName(d)
			if id >= 0 {
				fields[t.text(id)] = Var{Name: t.text(id), Type: base, Pointer: ptr, Pos: f.pos(t.nodes[id].start)}
			}
		}
	}
	if f.Structs == nil {
		f.Structs = map[string]map[string]Var{}
	}
	f.Structs[t.text(name)] = fields
}

func (b *builder) fieldDeclName(i int) (int, int) {
	t := b.t
	ptr := 0
	for i >= 0 {
		switch t.kind(i) {
		case kFieldIdentifier:
			return i, ptr
		case kPointerDeclarator, kArrayDeclarator:
			ptr++
			i = b.childByField(i, fDeclarator)
		default:
			i = b.firstNamed(i)
		}
	}
	return -1, 0
}

func lineStarts(src []byte) []uint32 {
	lines := make([]uint32, 1, len(src)/30+1)
	for i, c := range src {
		if c == '\n' {
			lines = append(lines, uint32(i+1))
		}
	}
	return lines
}

// binaryCheck rejects input that is not text: a NUL byte means a binary
// file handed over by mistake.
func binaryCheck(f *File, src []byte) error {
	for i, c := range src {
		if c == 0 {
			return &Error{File: f.Name, Pos: f.pos(uint32(i)), Msg: "NUL byte: not a C source file"}
		}
	}
	return nil
}

// parseStmtExprs parses the blocks of GNU statement expressions. Each level
// of nesting is one more parse of a buffer that holds, at their original
// offsets, just the blocks of that level inside one dummy function.
func (f *File) parseStmtExprs(ctx context.Context, src []byte, p *prepared) error {
	const header = "void __se(void){"
	f.sub = map[uint32]subTree{}
	level := p.stmtExprs
	f.tooDeep = nil
	for depth := 0; len(level) > 0; depth++ {
		if depth == maxStmtExprDepth {
			for _, se := range level {
				f.tooDeep = append(f.tooDeep, se.start)
			}
			sort.Slice(f.tooDeep, func(i, j int) bool { return f.tooDeep[i] < f.tooDeep[j] })
			break
		}
		buf := make([]byte, len(src)+1)
		for i, c := range src {
			if c == '\n' {
				buf[i] = '\n'
			} else {
				buf[i] = ' '
			}
		}
		var next []stmtExpr
		var usable []stmtExpr
		for _, se := range level {
			if int(se.start) < len(header) {
				continue
			}
			copy(buf[se.start+1:se.end-1], src[se.start+1:se.end-1])
			inner := prepRegion(src, buf, int(se.start)+1, int(se.end)-1)
			next = append(next, inner.stmtExprs...)
			for k, v := range inner.loops {
				p.loops[k] = v
			}
			usable = append(usable, se)
		}
		copy(buf, header)
		buf[len(src)] = '}'
		t, err := parseTree(ctx, buf)
		if err != nil {
			return &Error{File: f.Name, Pos: Pos{1, 1}, Msg: "parse: " + err.Error()}
		}
		t.src = append(src[:len(src):len(src)], '}')
		// find each block by the offset of its `{`
		byStart := map[uint32]int{}
		for i := range t.nodes {
			if symKind[t.nodes[i].sym] == kCompoundStatement {
				if _, dup := byStart[t.nodes[i].start]; !dup {
					byStart[t.nodes[i].start] = i
				}
			}
		}
		for _, se := range usable {
			s := &scanner{b: src}
			brace := uint32(s.skipSpace(int(se.start) + 1))
			if n, ok := byStart[brace]; ok {
				f.sub[se.start] = subTree{t: t, node: n}
			}
		}
		level = next
	}
	return nil
}

// missedBodies finds function bodies the parse did not turn into a
// function: a `{` alone at the start of a line, after a line that ends
// with `)`, kernel style for a definition, that is no function's body.
// They count as functions with parse errors in the statistics, so that a
// definition swallowed whole by an ERROR node is not silently dropped.
func (f *File) missedBodies(src []byte) []Pos {
	bodies := map[int]bool{}
	for _, fn := range f.Functions {
		bodies[fn.Body.Line] = true
	}
	var out []Pos
	for ln := 1; ln < len(f.lines); ln++ {
		s := int(f.lines[ln])
		if s >= len(src) || src[s] != '{' || bodies[ln+1] {
			continue
		}
		rest := bytes.TrimSpace(src[s+1 : lineEnd(src, s)])
		if len(rest) > 0 && !bytes.HasPrefix(rest, []byte("/")) {
			continue
		}
		// the previous non-blank line must end a declarator
		p := ln - 1
		for p >= 0 && len(bytes.TrimSpace(src[f.lines[p]:lineEnd(src, int(f.lines[p]))])) == 0 {
			p--
		}
		if p < 0 {
			continue
		}
		prev := bytes.TrimSpace(src[f.lines[p]:lineEnd(src, int(f.lines[p]))])
		if bytes.HasSuffix(prev, []byte(")")) && !bytes.HasPrefix(prev, []byte("#")) {
			out = append(out, Pos{Line: ln + 1, Col: 1})
		}
	}
	return out
}

func lineEnd(src []byte, i int) int {
	for i < len(src) && src[i] != '\n' {
		i++
	}
	return i
}
