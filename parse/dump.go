//go:build cgo

package parse

import (
	"fmt"
	"io"
	"strings"
)

// Dump writes a readable listing of fn's IR: signature, variables,
// annotations, then each block's events and edges. The format is stable:
// golden tests compare it.
func Dump(w io.Writer, fn *Function) {
	fmt.Fprintf(w, "func %s %s:%d:%d", fn.Name, fn.File, fn.Pos.Line, fn.Pos.Col)
	if fn.Static {
		fmt.Fprint(w, " static")
	}
	if fn.Entry != "" {
		fmt.Fprintf(w, " entry=%s", fn.Entry)
	}
	fmt.Fprintf(w, " returns %s\n", varType(fn.ReturnType))
	for _, v := range fn.Params {
		fmt.Fprintf(w, "  param %s %s\n", v.Name, varType(v))
	}
	for _, v := range fn.Locals {
		fmt.Fprintf(w, "  local %s %s @%d\n", v.Name, varType(v), v.Pos.Line)
	}
	for _, a := range fn.Annotations {
		fmt.Fprintf(w, "  annotation %s(%s) [%s]\n", a.Kind, a.Arg.Text, a.Arg.Norm)
	}
	for _, p := range fn.ParseErrors {
		fmt.Fprintf(w, "  parse-error %d:%d %s\n", p.Line, p.Col, p.Msg)
	}
	for _, blk := range fn.Blocks {
		tag := ""
		switch blk.ID {
		case 0:
			tag = " entry"
		case fn.Exit:
			tag = " exit"
		}
		fmt.Fprintf(w, "  b%d:%s\n", blk.ID, tag)
		for i := range blk.Events {
			fmt.Fprintf(w, "    %s\n", FormatEvent(&blk.Events[i]))
		}
		for _, e := range blk.Succs {
			fmt.Fprintf(w, "    -> b%d%s\n", e.To, formatEdge(e))
		}
	}
}

func varType(v Var) string {
	return v.Type + strings.Repeat("*", v.Pointer)
}

// FormatEvent renders one event as `line:col kind details`.
func FormatEvent(e *Event) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d:%d %s", e.Pos.Line, e.Pos.Col, e.Kind)
	switch e.Kind {
	case EvCall, EvScopeEnd:
		fmt.Fprintf(&sb, " %s(", e.Callee)
		for i, a := range e.Args {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(a.Norm)
		}
		sb.WriteString(")")
		if e.Result != "" {
			fmt.Fprintf(&sb, " -> %s", e.Result)
		}
	case EvWrite:
		fmt.Fprintf(&sb, " %s %s", e.LHS.Norm, e.Op)
		if e.Base != "" {
			fmt.Fprintf(&sb, " base=%s", e.Base)
		}
		if e.BaseType != "" {
			fmt.Fprintf(&sb, " type=%s", e.BaseType)
		}
		if len(e.Fields) > 0 {
			fmt.Fprintf(&sb, " fields=%s", strings.Join(e.Fields, "."))
		}
	case EvAssign:
		fmt.Fprintf(&sb, " %s = %s", e.Var, e.Value.Norm)
	case EvUpdate:
		fmt.Fprintf(&sb, " %s %s", e.Var, e.Op)
	case EvReturn:
		if e.Value.Norm != "" {
			fmt.Fprintf(&sb, " %s", e.Value.Norm)
		}
	case EvGoto, EvLabel:
		fmt.Fprintf(&sb, " %s", e.Label)
	}
	return sb.String()
}

func formatEdge(e Edge) string {
	var s string
	switch {
	case e.Case != "":
		s = fmt.Sprintf(" case %s: %s", e.Cond, e.Case)
	case e.Cond != "" && e.Neg:
		s = fmt.Sprintf(" if !(%s)", e.Cond)
	case e.Cond != "":
		s = fmt.Sprintf(" if (%s)", e.Cond)
	}
	if e.Back {
		s += " back"
	}
	return s
}
