//go:build cgo

package parse

import "fmt"

// Pos is a place in a source file: 1-based line, and 1-based column counted
// in bytes (a tab is one column), as sparse and gcc -fdiagnostics-column-unit=byte do.
type Pos struct {
	Line, Col int
}

// Expr is an expression as written (Text, whitespace collapsed) and in the
// normalized form rules match against (Norm): no spaces, no outer
// parentheses or casts, no leading `&`.
type Expr struct {
	Text string
	Norm string
}

// EventKind tells what an Event records.
type EventKind uint8

const (
	// EvCall is a function call (or a call through a pointer).
	EvCall EventKind = iota
	// EvWrite is a store to memory: a field, a dereference or an element,
	// by assignment, compound assignment, ++/--, or WRITE_ONCE and friends.
	EvWrite
	// EvAssign is an assignment to a plain variable.
	EvAssign
	// EvReturn leaves the function.
	EvReturn
	// EvGoto jumps to a label; EvLabel marks where a label is.
	EvGoto
	EvLabel
	// EvScopeEnd releases a scoped lock (guard(), scoped_guard) where its
	// scope ends; Callee and Args repeat those of the acquiring event.
	EvScopeEnd
	// EvUpdate changes a plain variable in place (`n++`, `n += x`,
	// `flags |= F`): Var, and Op the operator.
	EvUpdate
)

var eventKindNames = [...]string{"call", "write", "assign", "return", "goto", "label", "scope-end", "update"}

func (k EventKind) String() string { return eventKindNames[k] }

// Event is one thing that happens in a basic block, in source order.
type Event struct {
	Kind EventKind
	Pos  Pos
	// Off is the byte offset of the event in the file.
	Off uint32
	// Seq numbers the events of a function from 1, so that a pass over
	// it can keep what it learns of each in a slice; 0 for an event made
	// outside a body.
	Seq uint32

	// Call and EvScopeEnd: callee name or path (`vma->vm_ops->open`),
	// arguments, the variable the result is stored in (if any), and the
	// whole call normalized, so that a branch on it can be recognized.
	Callee string
	Args   []Expr
	Result string
	Call   string

	// Write: the stored-to expression, the variable at its root, that
	// variable's declared type (`vm_area_struct` for
	// `struct vm_area_struct *vma`), the field path from the root
	// (`vm_mm`, `mmap_sem`), and the operator (`=`, `|=`, `++`,
	// `WRITE_ONCE`).
	LHS      Expr
	Base     string
	BaseType string
	Fields   []string
	Op       string

	// Assign: the variable and its new value. Return: the value, if any.
	// Write: the value stored by a plain `=`, or the right operand of a
	// compound one (`*flags |= XFS_ILOCK_EXCL`).
	Var   string
	Value Expr

	// Goto and Label.
	Label string
}

// Field is the last field of a Write's path ("" when the write is through
// a plain dereference or an element).
func (e *Event) Field() string {
	if len(e.Fields) == 0 {
		return ""
	}
	return e.Fields[len(e.Fields)-1]
}

// Edge is a control-flow edge. A conditional edge is taken when Cond (a
// normalized expression) is true, or false when Neg is set. Switch edges
// carry the case label in Case ("default" for the default edge).
type Edge struct {
	To   int
	Cond string
	Neg  bool
	Case string
	// Back marks a loop's back edge.
	Back bool
	// Iter marks the test of an iterator macro's loop
	// (`for_each_populated_zone(zone)`): it asks about the next element,
	// so what an earlier loop of the same macro found says nothing.
	Iter bool
	// Pos is where a branch's test is written (`sdp->sd_tune.gt_statfs_slow`
	// in `else if (...)`), for the tests of if and ?: conditions; zero
	// where not known.
	Pos Pos
}

// Block is a basic block: events in order, then edges out.
type Block struct {
	ID     int
	Events []Event
	Succs  []Edge
}

// Var is a parameter or a local variable with its declared type.
type Var struct {
	Name string
	// Type is the base type as written, with struct/union/enum keyword
	// dropped: `vm_area_struct`, `spinlock_t`, `unsigned long`.
	Type string
	// Pointer counts the levels of indirection (`*`, and arrays).
	Pointer int
	Pos     Pos
}

// Annotation is a sparse context annotation on the definition:
// Kind is "acquires", "releases", "must_hold" or "acquires_cond".
type Annotation struct {
	Kind string
	Arg  Expr
	Pos  Pos
}

// Function is the IR of one function definition.
type Function struct {
	Name string
	File string
	// Pos and End span the definition; Body is its opening brace.
	Pos, End, Body     Pos
	StartByte, EndByte uint32
	// ReturnType is the declared return type, like Var.Type.
	ReturnType  Var
	Static      bool
	Params      []Var
	Locals      []Var
	Annotations []Annotation
	// Entry names the definition macro (SYSCALL_DEFINE3, BPF_CALL_2) of
	// an entry point with no visible caller; empty for a plain definition.
	Entry string
	// Blocks[0] is the entry; Blocks[Exit] is the single exit every
	// return leads to.
	Blocks []*Block
	Exit   int
	// NumEvents is the number of events in Blocks (the largest Seq).
	NumEvents int
	// ParseErrors lists where the body could not be read fully: an ERROR
	// or MISSING node, or a construct past one of the front end's bounds
	// (nesting deeper than MaxNesting). Events inside the broken part may
	// be missing from the CFG; the rest is read as usual. In order of
	// position.
	ParseErrors []ParseError
}

// ParseError is one place in a body the front end could not read fully.
// It is a Pos (so `p.Line`, `p.Col` work as on a position) with what went
// wrong there.
type ParseError struct {
	Pos
	Msg string
}

func (e ParseError) String() string {
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
}

// VarType returns the declared type of a parameter or local, if known.
func (f *Function) VarType(name string) (Var, bool) {
	for i := len(f.Locals) - 1; i >= 0; i-- {
		if f.Locals[i].Name == name {
			return f.Locals[i], true
		}
	}
	for _, v := range f.Params {
		if v.Name == name {
			return v, true
		}
	}
	return Var{}, false
}
