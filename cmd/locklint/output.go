package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/locklint/locklint/check"
	"github.com/locklint/locklint/diffscan"
	"github.com/locklint/locklint/report"
	"github.com/locklint/locklint/rules"
)

// run is what an analyzing command collected, on its way to the report.
type collected struct {
	res  report.Result
	sups []report.Suppression
	// lines reads a source line for the baseline key; nil: from disk
	lines func(file string, line int) string
	// series is set when the input had patches: only new findings fail
	series bool
	// stdin is C read from standard input, named stdinName
	stdin []byte
	// seriesRoots maps the files of patch findings to the tree they are
	// read from ("." without one)
	seriesRoots map[string]string
	// inputErrs counts inputs that could not be read at all (exit 2).
	inputErrs int
	// root, when set, is the git work tree the findings' files are
	// relative to (locklint diff); findings with a patch name repository
	// paths already.
	root string
	// unchecked counts code the user asked to check that was not
	// analyzed at all: hunks, or error diagnostics if there are more.
	unchecked int
}

// baselinePath maps a finding's file to its name in a baseline: relative
// to the top of the git work tree it is in (else the baseline file's
// directory), so a baseline read from a subdirectory, or named by an
// absolute path, matches the one written at the top.
func (r *collected) baselinePath(baseline string) func(string) string {
	root := r.root
	if root == "" {
		root = workTreeTop()
	}
	if root == "" {
		root, _ = filepath.Abs(filepath.Dir(baseline))
	}
	return func(file string) string {
		if file == "" || file == "-" || file == stdinName || r.series && r.root == "" {
			return file // a patch's names are its repository's already
		}
		abs, err := filepath.Abs(file)
		if err != nil {
			return file
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil {
			return file
		}
		return filepath.ToSlash(rel)
	}
}

// workTreeTop is the top of the git work tree holding the current
// directory (found by its .git), or "".
func workTreeTop() string {
	return upward(func(dir string) bool {
		_, err := os.Lstat(filepath.Join(dir, ".git"))
		return err == nil
	})
}

// upward is the first of the current directory and its parents that
// has what found looks for, or "".
func upward(found func(dir string) bool) string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if found(dir) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// addSeries records what analyzing one patch input gave.
func (r *collected) addSeries(path string, series *diffscan.Series, res *diffscan.Result) {
	// hunks quoted again in replies are counted once
	in := report.Input{Path: path, Patches: len(series.Patches), Hunks: series.HunkCount() + series.Unrecovered, HunksUnrecovered: res.Unchecked}
	errs := 0
	for _, d := range append(series.Diags, res.Diags...) {
		in.Diagnostics = append(in.Diagnostics, d.String())
		if d.Error {
			errs++
		}
	}
	// an error line always fails the run, even one that lost no hunk
	// (a MIME part past the nesting limit may have held a patch)
	r.unchecked += max(errs, res.Unchecked)
	r.series = true
	r.res.Inputs = append(r.res.Inputs, in)
	r.res.Findings = append(r.res.Findings, res.Findings...)
	r.res.Stats.Files += res.Stats.Files
	r.res.Stats.Functions += res.Stats.Functions
	r.res.Stats.FunctionsWithParseErrors += res.Stats.FunctionsWithParseErrors
	r.sups = append(r.sups, res.Suppressions...)
}

func fromCheck(f check.Finding) report.Finding {
	r := report.Finding{Rule: f.Rule, Severity: f.Severity, Message: f.Message, File: f.File, Line: f.Line,
		Column: f.Column, Function: f.Function, Status: report.StatusUnknown}
	for _, n := range f.Trace {
		r.Trace = append(r.Trace, report.Note{File: n.File, Line: n.Line, Note: n.Note})
	}
	return r
}

// finish applies the configuration (rules turned off, severities),
// suppressions and the baseline, writes the report and returns the exit
// status.
func (s *settings) finish(stdout, stderr io.Writer, r *collected) error {
	var kept []report.Finding
	for _, f := range r.res.Findings {
		if s.disable[f.Rule] || len(s.enable) > 0 && !s.enable[f.Rule] {
			continue
		}
		if sev, ok := s.severity[f.Rule]; ok {
			f.Severity = sev
		}
		kept = append(kept, f)
	}
	kept, problems := report.ApplySuppressions(kept, r.sups)
	for _, p := range problems {
		if !s.disable[p.Rule] {
			kept = append(kept, p)
		}
	}
	lines := r.lines
	if lines == nil {
		fromDisk := report.SourceLines("")
		lines = func(file string, line int) string {
			if file == stdinName && r.stdin != nil {
				return diffscan.LineAt(r.stdin, line)
			}
			if root, ok := r.seriesRoots[file]; ok {
				data, err := diffscan.DirTree(root).ReadFile(file)
				if err != nil {
					return ""
				}
				return diffscan.LineAt(data, line)
			}
			return fromDisk(file, line)
		}
	}
	if s.baseline != "" {
		b, err := report.ReadBaseline(s.baseline)
		if err != nil {
			return usage(err)
		}
		kept, _ = b.Filter(kept, lines, r.baselinePath(s.baseline))
	}
	if s.writeBaseline != "" {
		if err := report.NewBaseline(kept, lines, r.baselinePath(s.writeBaseline)).Write(s.writeBaseline); err != nil {
			return usage(err)
		}
	}
	r.res.Findings = kept
	sortFindings(r.res.Findings)

	var w io.Writer = stdout
	var file *os.File
	if s.output != "" {
		f, err := os.Create(s.output)
		if err != nil {
			return usage(err)
		}
		file, w = f, f
	}
	color := false
	switch s.color {
	case "always":
		color = true
	case "auto":
		if file == nil {
			if f, ok := stdout.(*os.File); ok {
				color = report.ColorWanted(f)
			}
		}
	}
	var buf bytes.Buffer
	err := report.Write(&buf, &r.res, report.Options{Format: s.format, Color: color, Rules: s.set, Version: shortVersion(), ShowFixed: s.showFixed})
	if err == nil {
		_, err = w.Write(buf.Bytes())
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return usage(err)
	}
	if file != nil {
		fmt.Fprintf(stderr, "locklint: %s report written to %s (%s)\n", s.format, report.Clean(s.output),
			plural(len(r.res.Findings), "finding"))
	}
	switch {
	case r.inputErrs > 0:
		return &exitError{code: exitUsage}
	case r.unchecked > 0 && !s.allowUnchecked:
		fmt.Fprintf(stderr, "locklint: failing: %d %s of the input could not be analyzed, so that code was not checked; the errors above say where (--allow-unchecked accepts it)\n",
			r.unchecked, plural(r.unchecked, "place"))
		return &exitError{code: exitFindings}
	case failing(r.res.Findings, s.failOn, r.series) > 0:
		return &exitError{code: exitFindings}
	}
	return nil
}

// failing counts the findings at or above the fail-on level that the
// input is to blame for: with patches, those a patch introduced (or whose
// status is not known).
func failing(fs []report.Finding, failOn string, series bool) int {
	if failOn == "none" {
		return 0
	}
	n := 0
	for _, f := range fs {
		if f.Severity.Rank() < rules.Severity(failOn).Rank() {
			continue
		}
		switch f.Status {
		case report.StatusFixed:
			continue
		case report.StatusPreexisting:
			if series {
				continue
			}
		}
		n++
	}
	return n
}

// sortFindings orders findings by patch, then file, line, column, rule;
// findings of plain C input have no patch and come first.
func sortFindings(fs []report.Finding) {
	idx := func(f report.Finding) int {
		if f.Patch == nil {
			return -1
		}
		return f.Patch.Index
	}
	less := func(a, b report.Finding) bool {
		if ia, ib := idx(a), idx(b); ia != ib {
			return ia < ib
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		// a total order, so that output never depends on the order
		// findings were collected in
		if a.Message != b.Message {
			return a.Message < b.Message
		}
		if a.Function != b.Function {
			return a.Function < b.Function
		}
		if a.Status != b.Status {
			return a.Status < b.Status
		}
		return traceKey(a) < traceKey(b)
	}
	sort.SliceStable(fs, func(i, j int) bool { return less(fs[i], fs[j]) })
}

func traceKey(f report.Finding) string {
	var b strings.Builder
	for _, n := range f.Trace {
		fmt.Fprintf(&b, "%s\x00%d\x00%s\x00", n.File, n.Line, n.Note)
	}
	return b.String()
}

// inputError is an input that could not be read, named with its place.
func inputError(path string, err error) error {
	msg := err.Error()
	if !strings.Contains(msg, path) {
		msg = path + ": " + msg
	}
	return fmt.Errorf("%s", msg)
}
