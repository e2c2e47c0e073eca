package report

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
)

// checkstyleSource prefixes a rule id in the checkstyle source attribute.
const checkstyleSource = "locklint."

type checkstyleError struct {
	line, col int
	severity  string
	message   string
	source    string
}

// writeCheckstyle writes Checkstyle 4.3 XML: a <file> per file, sorted,
// an <error> per finding (fixed ones left out) in line order, and the
// input diagnostics under their input file with source "locklint.input".
func writeCheckstyle(w io.Writer, r *Result, o Options) error {
	files := map[string][]checkstyleError{}
	for i := range r.Findings {
		f := &r.Findings[i]
		if fixed(f) {
			continue
		}
		files[f.File] = append(files[f.File], checkstyleError{f.Line, f.Column, string(f.Severity), f.Message, checkstyleSource + f.Rule})
	}
	for _, in := range r.Inputs {
		for _, s := range in.Diagnostics {
			d := parseDiag(in, s)
			sev := "warning"
			if d.Error {
				sev = "error"
			}
			files[d.File] = append(files[d.File], checkstyleError{d.Line, 0, sev, d.Text, checkstyleSource + "input"})
		}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)

	bw := bufio.NewWriter(w)
	bw.WriteString(xml.Header)
	bw.WriteString(`<checkstyle version="4.3">` + "\n")
	for _, n := range names {
		errs := files[n]
		sort.SliceStable(errs, func(i, j int) bool {
			if errs[i].line != errs[j].line {
				return errs[i].line < errs[j].line
			}
			return errs[i].col < errs[j].col
		})
		fmt.Fprintf(bw, "  <file name=\"%s\">\n", attr(n))
		for _, e := range errs {
			bw.WriteString("    <error")
			if e.line > 0 {
				fmt.Fprintf(bw, ` line="%d"`, e.line)
			}
			if e.col > 0 {
				fmt.Fprintf(bw, ` column="%d"`, e.col)
			}
			fmt.Fprintf(bw, " severity=\"%s\" message=\"%s\" source=\"%s\"/>\n", attr(e.severity), attr(e.message), attr(e.source))
		}
		bw.WriteString("  </file>\n")
	}
	bw.WriteString("</checkstyle>\n")
	return bw.Flush()
}

// attr escapes s for a double-quoted XML attribute value.
func attr(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
