package check

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

// render prints findings with their traces, as the text report would.
func render(fs []Finding) string {
	var sb strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&sb, "%s {%s}\n", f.String(), f.Function)
		for _, n := range f.Trace {
			fmt.Fprintf(&sb, "    %s:%d: %s\n", n.File, n.Line, n.Note)
		}
	}
	return sb.String()
}

// TestDeterministicFindings analyzes a file whose returns each have several
// candidate locks for one lock-balance finding, many times over, and wants
// the same bytes every time. Go randomizes map iteration on every range
// statement, so a choice left to map order differs within a few runs.
func TestDeterministicFindings(t *testing.T) {
	const path = "../testdata/check/balance_choice.c"
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	set, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	var first string
	for i := 0; i < 60; i++ {
		f, err := parse.ParseFile(context.Background(), path, src)
		if err != nil {
			t.Fatal(err)
		}
		got := render(Run(set, []*parse.File{f}))
		if i == 0 {
			first = got
			continue
		}
		if got != first {
			t.Fatalf("run %d differs from run 0:\n%s\nrun 0:\n%s", i, got, first)
		}
	}
	// and the choice is the documented one: of equally severe findings at
	// one place, the first by message
	if !strings.Contains(first, ":45:2: warning: conf0_lock (conf0_lock) is held on some paths") {
		t.Errorf("regs_enable's return should name conf0_lock, the first of the mixed locks by message:\n%s", first)
	}
}

// TestExpandOnePass checks that a placeholder inside a substituted value is
// left alone, whatever order the map hands the names out in.
func TestExpandOnePass(t *testing.T) {
	vars := map[string]string{"expr": "p->{field}", "field": "vm_end", "call": "f()"}
	for i := 0; i < 50; i++ {
		if got := expand("{expr} writes {field} {unknown} {call", vars); got != "p->{field} writes vm_end {unknown} {call" {
			t.Fatalf("expand = %q", got)
		}
	}
	if got := expand("no placeholders", vars); got != "no placeholders" {
		t.Fatalf("expand = %q", got)
	}
}

// TestReportOrderIndependent checks that of several findings for one rule
// and place, the one kept does not depend on the order they are reported
// in: the most severe, then the first by message and trace.
func TestReportOrderIndependent(t *testing.T) {
	mk := func(sev rules.Severity, msg string, line int) Finding {
		return Finding{Rule: "lock-balance", Severity: sev, Message: msg, File: "x.c", Line: 9, Column: 2, Function: "f",
			Trace: []Note{{File: "x.c", Line: line, Note: "taken here"}}}
	}
	cands := []Finding{
		mk(rules.Warning, "b_lock is held", 3),
		mk(rules.Warning, "a_lock is held", 5),
		mk(rules.Warning, "a_lock is held", 4),
		mk(rules.Info, "0_lock is held", 1),
	}
	perms := [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {1, 3, 0, 2}, {2, 0, 3, 1}}
	for _, perm := range perms {
		c := &Checker{findings: map[string]*Finding{}}
		for _, i := range perm {
			c.report(cands[i])
		}
		if len(c.findings) != 1 {
			t.Fatalf("order %v: %d findings kept, want 1", perm, len(c.findings))
		}
		for _, f := range c.findings {
			if f.Message != "a_lock is held" || f.Trace[0].Line != 4 {
				t.Errorf("order %v kept %q (trace line %d), want a_lock with trace line 4", perm, f.Message, f.Trace[0].Line)
			}
		}
	}
	// a more severe one wins whatever its message
	c := &Checker{findings: map[string]*Finding{}}
	c.report(cands[1])
	c.report(mk(rules.Error, "z_lock is held", 7))
	for _, f := range c.findings {
		if f.Severity != rules.Error {
			t.Errorf("kept %v, want the error", f)
		}
	}
}
