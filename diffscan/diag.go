package diffscan

import "fmt"

// Diag is an input diagnostic: something in the input that was repaired
// (a warning) or could not be recovered (an error). It names where: the
// input, the message (by subject or index), the file diff and the hunk.
type Diag struct {
	Input   string // path or "-"
	Line    int    // line in the input, 0 if unknown
	Message string // message subject or "message N"; "" for a bare diff
	File    string // file the diff is for, "" if none
	Hunk    string // hunk header, "" if none
	Error   bool   // true: something was lost; false: repaired
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
