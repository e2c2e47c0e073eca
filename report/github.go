package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/locklint/locklint/rules"
)

// writeGitHub writes GitHub Actions workflow commands: the input
// diagnostics, then one annotation per finding (fixed ones left out),
// the trace appended to the message one note a line.
func writeGitHub(w io.Writer, r *Result, o Options) error {
	bw := bufio.NewWriter(w)
	for _, in := range r.Inputs {
		for _, s := range in.Diagnostics {
			d := parseDiag(in, s)
			cmd := "warning"
			if d.Error {
				cmd = "error"
			}
			var props []string
			if d.File != "" && d.File != "-" {
				props = append(props, "file="+escapeProperty(d.File))
				if d.Line > 0 {
					props = append(props, "line="+strconv.Itoa(d.Line))
				}
			}
			props = append(props, "title="+escapeProperty("locklint input"))
			workflowCommand(bw, cmd, props, d.Text)
		}
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		if fixed(f) {
			continue
		}
		cmd := "notice"
		switch f.Severity {
		case rules.Error:
			cmd = "error"
		case rules.Warning:
			cmd = "warning"
		}
		props := []string{"file=" + escapeProperty(f.File)}
		if f.Line > 0 {
			props = append(props, "line="+strconv.Itoa(f.Line))
			if f.Column > 0 {
				props = append(props, "col="+strconv.Itoa(f.Column))
			}
		}
		props = append(props, "title="+escapeProperty("locklint "+f.Rule))
		msg := f.Message
		for _, n := range f.Trace {
			msg += "\n" + position(n.File, n.Line, 0) + " note: " + n.Note
		}
		workflowCommand(bw, cmd, props, msg)
	}
	return bw.Flush()
}

func workflowCommand(w io.Writer, cmd string, props []string, msg string) {
	fmt.Fprintf(w, "::%s %s::%s\n", cmd, strings.Join(props, ","), Clean(escapeData(msg)))
}

// escapeData escapes a workflow command's message (line breaks stay line
// breaks in the annotation; Clean then shows any other control
// character).
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command property's value.
func escapeProperty(s string) string {
	return Clean(strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s))
}
