package diffscan

import "fmt"

// Diag is an input diagnostic. A warning (Error false) is something that
// was repaired, or code that was checked in a weaker way (as fragments,
// without the tree). An error is code the user asked to check that was
// not checked at all (counted in Result.Unchecked or Series.Unrecovered),
// or a part of the mail that was not read and may hold a patch: a run
// with one must not pass as clean. It names where: the input, the
// message (by subject or index), the file diff and the hunk.
type Diag struct {
	Input   string // path or "-"
	Line    int    // line in the input, 0 if unknown
	Message string // message subject or "message N"; "" for a bare diff
	File    string // file the diff is for, "" if none
	Hunk    string // hunk header, "" if none
	Error   bool   // true: not checked, or not read; false: repaired or weaker
	Text    string
}

func (d Diag) String() string {
	loc := d.Input
	if d.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, d.Line)
	}
	kind := "warning"
	if d.Error {
		kind = "error"
	}
	where := ""
	if d.Message != "" {
		where += " (" + d.Message + ")"
	}
	if d.File != "" {
		where += " " + d.File
	}
	if d.Hunk != "" {
		where += " " + d.Hunk
	}
	return fmt.Sprintf("%s: %s:%s %s", loc, kind, where, d.Text)
}
