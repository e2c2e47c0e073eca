package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain text, with\ttab", "plain text, with\ttab"},
		{"mm/ümlaut.c", "mm/ümlaut.c"},
		{"title\x1b]0;owned\x07", `title\x1b]0;owned\x07`},
		{"clear\x1b[2J", `clear\x1b[2J`},
		{"over\rwrite", `over\rwrite`},
		{"two\n::error file=evil.c,line=1::x", `two\n::error file=evil.c,line=1::x`},
		{"del\x7f", `del\x7f`},
		{"c1 \u009b31m", `c1 \u009b31m`},
		{"bidi \u202eevil\u202c", `bidi \u202eevil\u202c`},
		{"bad \xff utf-8", "bad \ufffd utf-8"},
	} {
		if got := Clean(c.in); got != c.want {
			t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := CleanLine("::error file=a.c::pwned"); got != "./::error file=a.c::pwned" {
		t.Errorf("CleanLine = %q", got)
	}
}

// Nothing from the input reaches the text output raw: no control
// character, and no line that a GitHub runner would execute.
func TestTextOutputIsInert(t *testing.T) {
	evil := "x\x1b[2J\x1b]0;t\x07\r\n::error file=evil.c,line=1::owned"
	r := &Result{
		Findings: []Finding{{Rule: "lock-balance", Severity: "error", Message: "m " + evil, File: "::error file=a.c::" + evil,
			Line: 3, Column: 1, Status: StatusIntroduced,
			Patch: &PatchRef{Index: 1, Total: 1, Subject: evil}, Hunk: &HunkRef{Header: "@@ -1 +1 @@" + evil},
			Trace: []Note{{File: evil, Line: 2, Note: evil}}}},
		Inputs: []Input{{Path: "p", Patches: 1, Hunks: 1, Diagnostics: []string{"::warning::" + evil}}},
	}
	for _, format := range []string{"text", "github"} {
		var buf bytes.Buffer
		if err := Write(&buf, r, Options{Format: format}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			for _, c := range line {
				if c < 0x20 && c != '\t' || c == 0x7f {
					t.Errorf("%s: control character %#x in line %q", format, c, line)
				}
			}
			if format == "text" && strings.HasPrefix(strings.TrimLeft(line, " "), "::") {
				t.Errorf("text: a line starts with a workflow command: %q", line)
			}
			if format == "github" && strings.HasPrefix(line, "::") && strings.Contains(line[2:], "\n") {
				t.Errorf("github: command spans lines: %q", line)
			}
		}
		if format == "github" && strings.Count(out, "\n") != 2 {
			t.Errorf("github: want one command for the diagnostic and one for the finding:\n%s", out)
		}
	}
}
