package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/locklint/locklint/rules"
)

// ANSI SGR sequences of the text format.
const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiRed     = "\x1b[1;31m"
	ansiMagenta = "\x1b[1;35m"
	ansiCyan    = "\x1b[36m"
	ansiGreen   = "\x1b[1;32m"
)

type textWriter struct {
	w     *bufio.Writer
	color bool
}

func (t *textWriter) paint(sgr, s string) string {
	if !t.color || s == "" {
		return s
	}
	return sgr + s + ansiReset
}

// writeText writes the compiler-shaped text format: input diagnostics,
// then the findings (a series' grouped under patch and hunk headers),
// then a summary line.
func writeText(w io.Writer, r *Result, o Options) error {
	t := &textWriter{w: bufio.NewWriter(w), color: o.Color}
	for _, in := range r.Inputs {
		for _, d := range in.Diagnostics {
			t.w.WriteString(CleanLine(d) + "\n")
		}
	}
	var shown []*Finding
	for i := range r.Findings {
		f := &r.Findings[i]
		if fixed(f) && !o.ShowFixed {
			continue
		}
		shown = append(shown, f)
	}
	// Findings outside any patch first, then each patch's: those outside
	// a hunk, then each hunk's.
	var loose []*Finding
	type hunkGroup struct {
		ref      *HunkRef
		findings []*Finding
	}
	type patchGroup struct {
		ref     *PatchRef
		nohunk  []*Finding
		hunks   []*hunkGroup
		hunkIdx map[string]*hunkGroup
	}
	var patches []*patchGroup
	patchIdx := map[PatchRef]*patchGroup{}
	for _, f := range shown {
		if f.Patch == nil {
			loose = append(loose, f)
			continue
		}
		pg := patchIdx[*f.Patch]
		if pg == nil {
			pg = &patchGroup{ref: f.Patch, hunkIdx: map[string]*hunkGroup{}}
			patchIdx[*f.Patch] = pg
			patches = append(patches, pg)
		}
		if f.Hunk == nil {
			pg.nohunk = append(pg.nohunk, f)
			continue
		}
		key := f.File + "\x00" + f.Hunk.Header
		hg := pg.hunkIdx[key]
		if hg == nil {
			hg = &hunkGroup{ref: f.Hunk}
			pg.hunkIdx[key] = hg
			pg.hunks = append(pg.hunks, hg)
		}
		hg.findings = append(hg.findings, f)
	}
	for _, f := range loose {
		t.finding(f)
	}
	for _, pg := range patches {
		t.w.WriteString(t.paint(ansiBold, patchHeader(pg.ref)) + "\n")
		for _, f := range pg.nohunk {
			t.finding(f)
		}
		for _, hg := range pg.hunks {
			t.w.WriteString("  " + t.paint(ansiCyan, Clean(hg.ref.Header)) + "\n")
			for _, f := range hg.findings {
				t.finding(f)
			}
		}
	}
	t.w.WriteString(summary(r) + "\n")
	if n, withTree := fragmentHunks(r); n > 0 {
		hint := "--tree DIR (or running at the top of a kernel tree) checks whole functions"
		if withTree {
			hint = "their files are not in the tree or they do not apply to it (the warnings above say which)"
		}
		fmt.Fprintf(t.w, "%s analyzed as fragments, without the code around them: %s\n", plural(n, "hunk"), hint)
	}
	return t.w.Flush()
}

// patchHeader is "[PATCH v5 3/14] subject": no v1, no n/m without a
// total.
func patchHeader(p *PatchRef) string {
	tag := "PATCH"
	if p.Version > 1 {
		tag += " v" + strconv.Itoa(p.Version)
	}
	if p.Total > 0 {
		tag += fmt.Sprintf(" %d/%d", p.Index, p.Total)
	}
	return "[" + tag + "] " + Clean(p.Subject)
}

// position is "file:line:col:", the file cleaned for a terminal (it
// may start a line).
func position(file string, line, col int) string {
	s := CleanLine(file) + ":"
	if line > 0 {
		s += strconv.Itoa(line) + ":"
		if col > 0 {
			s += strconv.Itoa(col) + ":"
		}
	}
	return s
}

func (t *textWriter) finding(f *Finding) {
	sev, sgr := string(f.Severity), ansiBold
	switch f.Severity {
	case rules.Error:
		sgr = ansiRed
	case rules.Warning:
		sgr = ansiMagenta
	}
	tag := f.Rule
	if fixed(f) {
		sev, sgr = "fixed", ansiGreen
	} else if s := status(f); s != StatusUnknown {
		tag += ", " + s
	}
	fmt.Fprintf(t.w, "%s %s %s [%s]\n", t.paint(ansiBold, position(f.File, f.Line, f.Column)), t.paint(sgr, sev+":"), Clean(f.Message), Clean(tag))
	for _, n := range f.Trace {
		fmt.Fprintf(t.w, "    %s %s %s\n", position(n.File, n.Line, 0), t.paint(ansiCyan, "note:"), Clean(n.Note))
	}
}

// summary is "2 errors, 1 warning in 3 files[, 2 patches, 7 hunks (0
// unrecovered)][, 1 fixed]". Files are the files checked.
func summary(r *Result) string {
	var errs, warns, fixes int
	for i := range r.Findings {
		f := &r.Findings[i]
		switch {
		case fixed(f):
			fixes++
		case f.Severity == rules.Error:
			errs++
		case f.Severity == rules.Warning:
			warns++
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s, %s in %s", plural(errs, "error"), plural(warns, "warning"), plural(r.Stats.Files, "file"))
	if len(r.Inputs) > 0 {
		p, h, u := inputTotals(r)
		if u > 0 {
			fmt.Fprintf(&sb, ", %s, %s (%d unrecovered, not checked)", plural(p, "patch"), plural(h, "hunk"), u)
		} else {
			fmt.Fprintf(&sb, ", %s, %s (0 unrecovered)", plural(p, "patch"), plural(h, "hunk"))
		}
	}
	if fixes > 0 {
		fmt.Fprintf(&sb, ", %d fixed", fixes)
	}
	return sb.String()
}

// fragmentHunks counts the hunks of all inputs read without their
// surrounding code (what they prove is less than what a tree would), and
// tells whether some of them had a tree they could not use.
func fragmentHunks(r *Result) (n int, withTree bool) {
	for _, in := range r.Inputs {
		n += in.HunksFragments
		if in.HunksFragments > 0 && in.Tree != "" {
			withTree = true
		}
	}
	return n, withTree
}
