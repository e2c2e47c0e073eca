// Package check is locklint's lock-state engine: it runs a rules.Set over
// the IR of parsed functions and returns findings. It does no I/O.
package check

import (
	"fmt"
	"sort"

	"github.com/locklint/locklint/rules"
)

// HavocCallee is a call that stands for code not shown (the lines between
// two hunks of a patch): after it nothing is known about any lock, and a
// lock taken after it says nothing about the state before it.
const HavocCallee = "__locklint_unseen"

// Finding is one violation.
type Finding struct {
	Rule     string
	Severity rules.Severity
	Message  string
	File     string
	Line     int
	Column   int
	Function string
	// Trace is the evidence: where the lock was taken or released, where a
	// caller did not hold it.
	Trace []Note
}

// Note is one line of a finding's trace.
type Note struct {
	File string
	Line int
	Note string
}

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s [%s]", f.File, f.Line, f.Column, f.Severity, f.Message, f.Rule)
}

// Sort orders findings by file, line, column and rule.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Rule < b.Rule
	})
}
