// Package report writes a run's findings: text for a terminal, json,
// sarif, github workflow commands and checkstyle. One Result in, bytes out.
package report

import "github.com/locklint/locklint/rules"

// Result is everything one run found, in the order it is to be shown.
type Result struct {
	Findings []Finding
	// Inputs are the patch and mail inputs read (empty for plain C).
	Inputs []Input
	Stats  Stats
}

// Finding is a check.Finding placed in its patch and hunk.
type Finding struct {
	Rule     string
	Severity rules.Severity // "error", "warning" (and "info")
	Message  string
	File     string
	Line     int
	Column   int
	Function string
	// Status: "introduced", "fixed", "preexisting", or "unknown" (no
	// pre-image to compare with; always so for plain C input).
	Status string
	Patch  *PatchRef // nil for plain C input
	Hunk   *HunkRef  // nil for plain C input or when no hunk holds the line
	Trace  []Note
}

// Note is one line of a finding's trace.
type Note struct {
	File string
	Line int
	Note string
}

// PatchRef names the patch of a series a finding is in.
type PatchRef struct {
	Index     int    // 3 of [PATCH v5 3/14]; 0 for a single patch without one
	Total     int    // 14; 0 when absent
	Version   int    // 5; 1 when absent
	Subject   string // the title, without Re: and bracketed prefixes
	MessageID string
}

// HunkRef names the hunk a finding is in.
type HunkRef struct {
	Header   string // "@@ -120,7 +124,10 @@" (without the section text)
	OldStart int
	NewStart int
}

// Input is one patch or mail input and how well it was read.
type Input struct {
	Path             string
	Patches          int
	Hunks            int
	HunksUnrecovered int
	// HunksFragments counts the hunks analyzed as fragments: without the
	// code around them (no tree, or a file the tree lacks or a hunk that
	// did not apply).
	HunksFragments int
	// Tree is the source tree the patches were applied to; "" for none.
	Tree string
	// Diagnostics are the input problems, already formatted
	// ("path:line: warning: ... "), in input order.
	Diagnostics []string
}

// Stats are the run's numbers.
type Stats struct {
	Files                    int
	Functions                int
	FunctionsWithParseErrors int
	ElapsedMS                int64
}
