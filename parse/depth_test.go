//go:build cgo

package parse

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// deepShapes are bodies nested n levels deep, each in a shape that once
// overflowed a stack, panicked or was cut short. bounded marks those that
// recurse in the builder: past MaxNesting they become a ParseError;
// the others are read whole at any depth.
var deepShapes = []struct {
	name    string
	bounded bool
	body    func(n int) string
}{
	{"parens", false, func(n int) string { return "return " + strings.Repeat("(", n) + "g(1)" + strings.Repeat(")", n) + ";" }},
	{"not", false, func(n int) string { return "return " + strings.Repeat("!", n) + "g(1);" }},
	{"negate", false, func(n int) string { return "return " + strings.Repeat("- ", n) + "g(1);" }},
	{"casts", false, func(n int) string { return "return " + strings.Repeat("(long)", n) + "g(1);" }},
	{"sum", false, func(n int) string { return "return g(1)" + strings.Repeat("+a", n) + ";" }},
	{"rsum", false, func(n int) string {
		return "return " + strings.Repeat("a+(", n) + "g(1)" + strings.Repeat(")", n) + ";"
	}},
	{"and-calls", false, func(n int) string { return "return " + strings.Repeat("g(1) && ", n) + "g(1);" }},
	{"if-not", false, func(n int) string { return "if (" + strings.Repeat("!", n) + "x) g(1);" }},
	{"if-and", false, func(n int) string {
		return "if (" + strings.Repeat("x && (", n) + "g(1)" + strings.Repeat(")", n) + ") g(2);"
	}},
	{"ternary", false, func(n int) string { return "return " + strings.Repeat("x ? 1 : ", n) + "g(1);" }},
	{"comma", false, func(n int) string { return "return (" + strings.Repeat("a, ", n) + "g(1));" }},
	{"init", false, func(n int) string {
		return "int v[] = " + strings.Repeat("{", n) + "g(1)" + strings.Repeat("}", n) + ";"
	}},
	{"subscript", false, func(n int) string { return "return g(1)" + strings.Repeat("[0]", n) + ";" }},
	{"fields", false, func(n int) string { return "return g(1)" + strings.Repeat("->f", n) + ";" }},
	{"else-if", false, func(n int) string {
		var sb strings.Builder
		sb.WriteString("if (x == 0) g(1);\n")
		for i := 1; i < n; i++ {
			fmt.Fprintf(&sb, "\telse if (x == %d) h(%d);\n", i, i)
		}
		return sb.String()
	}},
	{"cases", false, func(n int) string {
		var sb strings.Builder
		sb.WriteString("switch (x) {\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&sb, "\tcase %d:\n", i)
		}
		sb.WriteString("\t\tg(1);\n\t}")
		return sb.String()
	}},
	{"calls", true, func(n int) string { return "return " + strings.Repeat("f(", n) + "g(1)" + strings.Repeat(")", n) + ";" }},
	{"assigns", true, func(n int) string { return strings.Repeat("a = ", n) + "g(1);" }},
	{"blocks", true, func(n int) string { return strings.Repeat("{", n) + " g(1); " + strings.Repeat("}", n) }},
	{"nested-ifs", true, func(n int) string { return strings.Repeat("if (x) ", n) + "g(1);" }},
	{"labels", true, func(n int) string {
		var sb strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&sb, "l%d: ", i)
		}
		return sb.String() + "g(1);"
	}},
	{"ternary-calls", false, func(n int) string { return "return " + strings.Repeat("x ? h(1) : ", n) + "g(1);" }},
	{"ternary-nested", true, func(n int) string {
		return "return " + strings.Repeat("(x ? ", n) + "g(1)" + strings.Repeat(" : h(1))", n) + ";"
	}},
	{"updates", true, func(n int) string { return "return " + strings.Repeat("-- ", n) + "p->x + g(1);" }},
}

// deepFile puts a deep body between two ordinary functions.
func deepFile(body string) string {
	return "int before(int x)\n{\n\tspin_lock(&l);\n\treturn 0;\n}\n\n" +
		"int deep(int x, int a, struct s *p)\n{\n\t" + body + "\n\treturn 0;\n}\n\n" +
		"int after(int x)\n{\n\tspin_unlock(&l);\n\treturn 0;\n}\n"
}

// TestDeepNesting reads each deep shape at depths around MaxNesting and far
// past it: never a panic or a stack overflow, the functions around it read
// as usual, and the deep one either whole (its innermost call is there) or
// with a ParseError at its line that says what limit was hit.
func TestDeepNesting(t *testing.T) {
	for _, sh := range deepShapes {
		for _, n := range []int{MaxNesting - 10, 3 * MaxNesting, 100000} {
			if sh.bounded && n > 3*MaxNesting {
				continue // past the limit one size is enough
			}
			t.Run(fmt.Sprintf("%s/%d", sh.name, n), func(t *testing.T) {
				src := deepFile(sh.body(n))
				f, err := ParseFile(context.Background(), "deep.c", []byte(src))
				if err != nil {
					t.Fatal(err)
				}
				if len(f.Functions) != 3 {
					t.Fatalf("%d functions, want 3", len(f.Functions))
				}
				for _, name := range []string{"before", "after"} {
					fn := function(t, f, name)
					if len(fn.ParseErrors) > 0 || len(events(fn, EvCall)) != 1 {
						t.Errorf("%s: parse errors %v, calls %v", name, fn.ParseErrors, events(fn, EvCall))
					}
				}
				fn := function(t, f, "deep")
				calls := strings.Join(events(fn, EvCall), "\n")
				if !sh.bounded || n < MaxNesting-5 {
					if len(fn.ParseErrors) > 0 || !strings.Contains(calls, " call g(1)") {
						t.Errorf("read whole: parse errors %v, g(1) called: %v", fn.ParseErrors, strings.Contains(calls, " call g(1)"))
					}
					return
				}
				if len(fn.ParseErrors) == 0 {
					t.Fatalf("no parse error past the limit")
				}
				p := fn.ParseErrors[0]
				want := fmt.Sprintf("nested too deeply (more than %d levels)", MaxNesting)
				if !strings.Contains(p.Msg, want) || p.Line < 9 || p.Line > 9+n {
					t.Errorf("parse error %v, want %q in the deep body (line 9 on)", p, want)
				}
			})
		}
	}
}

// TestDeepElseIfChain checks that a long else-if chain is read whole, with
// every branch's call and the same blocks nested reading would give.
func TestDeepElseIfChain(t *testing.T) {
	const n = 100000
	var sb strings.Builder
	sb.WriteString("int f(int x)\n{\n\tif (x == 0)\n\t\tspin_lock(&l);\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&sb, "\telse if (x == %d)\n\t\th(%d);\n", i, i)
	}
	sb.WriteString("\telse\n\t\tspin_unlock(&l);\n\treturn 0;\n}\n")
	f, err := ParseFile(context.Background(), "chain.c", []byte(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	fn := function(t, f, "f")
	if len(fn.ParseErrors) > 0 {
		t.Fatalf("parse errors %v", fn.ParseErrors[:1])
	}
	calls := events(fn, EvCall)
	if len(calls) != n+1 || !strings.Contains(calls[0], "spin_lock(l)") || !strings.Contains(calls[n], "spin_unlock(l)") {
		t.Fatalf("%d calls (first %q, last %q), want %d", len(calls), calls[0], calls[len(calls)-1], n+1)
	}
	// every branch joins the return: one block holds it, and its
	// predecessors are the n+1 branches
	preds := 0
	for _, b := range fn.Blocks {
		for _, e := range b.Succs {
			if tb := fn.Blocks[e.To]; len(tb.Events) > 0 && tb.Events[0].Kind == EvReturn {
				preds++
			}
		}
	}
	if preds != n+1 {
		t.Errorf("%d edges into the return, want %d", preds, n+1)
	}
}

// TestDeepStatementExpressions checks the bound on statement expressions
// inside statement expressions: the levels past it are a ParseError at the
// first unread one, not events silently missing.
func TestDeepStatementExpressions(t *testing.T) {
	for _, n := range []int{maxStmtExprDepth, maxStmtExprDepth + 1, 20} {
		e := "0"
		for k := 0; k < n; k++ {
			e = "({ g(1); " + e + "; })"
		}
		body := "return " + e + ";"
		f, err := ParseFile(context.Background(), "se.c", []byte(deepFile(body)))
		if err != nil {
			t.Fatal(err)
		}
		fn := function(t, f, "deep")
		got := len(events(fn, EvCall))
		if n <= maxStmtExprDepth {
			if len(fn.ParseErrors) > 0 || got != n {
				t.Errorf("%d levels: parse errors %v, %d calls, want %d", n, fn.ParseErrors, got, n)
			}
			continue
		}
		if len(fn.ParseErrors) == 0 || !strings.Contains(fn.ParseErrors[0].Msg, "statement expressions nested too deeply") {
			t.Errorf("%d levels: parse errors %v, want one about statement expressions", n, fn.ParseErrors)
		}
		if got != maxStmtExprDepth {
			t.Errorf("%d levels: %d calls read, want the %d levels within the bound", n, got, maxStmtExprDepth)
		}
	}
}

// TestDeepNormBounded checks that an expression's texts are clipped, so
// nesting does not copy the text under each level.
func TestDeepNormBounded(t *testing.T) {
	const n = 900 // within MaxNesting: every level is a call event
	// spaces inside, so that each level's normalized text is a copy
	body := "return " + strings.Repeat("f(       ", n) + "x" + strings.Repeat(" )", n) + ";"
	f, err := ParseFile(context.Background(), "norm.c", []byte(deepFile(body)))
	if err != nil {
		t.Fatal(err)
	}
	fn := function(t, f, "deep")
	total := 0
	for _, b := range fn.Blocks {
		for _, e := range b.Events {
			total += len(e.Call) + len(e.Value.Text) + len(e.Value.Norm)
			for _, a := range e.Args {
				total += len(a.Text) + len(a.Norm)
			}
			if len(e.Call) > MaxExprText+20 {
				t.Fatalf("call text of %d bytes", len(e.Call))
			}
		}
	}
	// clipped, about 2.5 MB here; copied whole at every level, 4.5 MB, and
	// growing with the square of the depth
	if total > n*MaxExprText {
		t.Errorf("%d bytes of expression text for %d levels", total, n)
	}
	if got := normText(strings.Repeat("(", 50000) + "&x" + strings.Repeat(")", 50000)).Norm; !strings.HasPrefix(got, "((((") || !strings.Contains(got, "\u2026100002") {
		t.Errorf("normText of a clipped text = %.20q...", got)
	}
	if got := normText("( (&(a->b)) )").Norm; got != "a->b" {
		t.Errorf("normText = %q, want a->b", got)
	}
	if got := normText("(a)+(b)").Norm; got != "(a)+(b)" {
		t.Errorf("normText = %q, want (a)+(b)", got)
	}
}
