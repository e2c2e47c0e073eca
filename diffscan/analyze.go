package diffscan

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/locklint/locklint/check"
	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/report"
	"github.com/locklint/locklint/rules"
)

// Analyzer checks the patches of a series.
type Analyzer struct {
	Set *rules.Set
	// Tree, when set, holds the files before the first patch: patches are
	// applied to copies in memory and whole files are analyzed before and
	// after each. Without it, hunks are analyzed as fragments.
	Tree Tree
	// Post, when set with Tree, holds the files after the series (a git
	// index or work tree): they are read instead of applying the patch.
	Post Tree
	// Jobs bounds the parsers running at once (0: 2).
	Jobs int
	// Callers, with a Tree that can search itself (Grepper), adds to a
	// patch's context the files anywhere in the tree that call a
	// function, not static, the patch changes (context.go).
	Callers bool

	// ctxCache holds the context files parsed for earlier patches of a
	// series (context.go)
	ctxCache map[string]*image
	// callCache holds what the tree's search found for each name
	// (callerFiles)
	callCache map[string][]string
}

// Stats are the front end's numbers for the images analyzed after the
// patches.
type Stats struct {
	Files, Functions, FunctionsWithParseErrors int
}

// Result is what analyzing a series gives.
type Result struct {
	Findings []report.Finding
	Stats    Stats
	Diags    []Diag
	// Suppressions are the `locklint: ignore` comments the patches add,
	// placed in the real files.
	Suppressions []report.Suppression
	// Unchecked is the number of hunks whose code was not analyzed at
	// all: the series' unrecovered hunks, and those of files the front
	// end or the engine failed on (each with an error Diag). A hunk read
	// in a weaker way (as a fragment, without the tree) is checked and
	// not counted here. The command fails the run when it is not 0.
	Unchecked int
	// Fragments is the number of hunks analyzed as fragments: all of
	// them without a Tree; with one, those of files that fell back to
	// fragments (each with a warning saying why).
	Fragments int
}

// image is one side of one file of a patch, as the parser sees it.
type image struct {
	f    *FileDiff
	side Side
	path string
	src  []byte
	frag *Fragment // nil for a whole file
	file *parse.File
	err  error // why file is empty: the front end failed

	starts  []int       // byte offset of each line of src, made by line
	textIDs map[int]int // line -> lineTexts number
}

// place maps a line of the image to the real file and its hunk.
func (im *image) place(line int) (int, *Hunk) {
	if im.frag != nil {
		return im.frag.Real(line)
	}
	if im.f == nil {
		return line, nil // a context file: as it is in the tree
	}
	for _, h := range im.f.Hunks {
		start, n := h.NewStart, h.NewLines
		if im.side == Old {
			start, n = h.OldStart, h.OldLines
		}
		if line >= start && line < start+max(n, 1) {
			return line, h
		}
	}
	return line, nil
}

// touches tells whether lines [from, to] of a whole image overlap a hunk.
func (im *image) touches(from, to int) bool {
	if im.f == nil {
		return false
	}
	for _, h := range im.f.Hunks {
		start, n := h.NewStart, h.NewLines
		if im.side == Old {
			start, n = h.OldStart, h.OldLines
		}
		if from < start+max(n, 1) && to >= start {
			return true
		}
	}
	return false
}

// added are the lines a file diff adds, by new line number.
func (f *FileDiff) added() map[int]bool {
	out := map[int]bool{}
	for _, h := range f.Hunks {
		n := h.NewStart
		for _, l := range h.Lines {
			switch l.Op {
			case '+':
				out[n] = true
				n++
			case ' ':
				n++
			}
		}
	}
	return out
}

// suppressions are the suppression comments on lines the patch adds.
func (im *image) suppressions() []report.Suppression {
	sups := report.ScanSuppressions(im.path, im.src)
	if len(sups) == 0 {
		return nil
	}
	added := im.f.added()
	var out []report.Suppression
	for _, s := range sups {
		line, _ := im.place(s.Line)
		target, _ := im.place(s.Target)
		if line == 0 || !added[line] {
			continue
		}
		s.Line, s.Target = line, target
		out = append(out, s)
	}
	return out
}

// IsC tells whether a path is C source the analysis reads.
func IsC(p string) bool {
	return strings.HasSuffix(p, ".c") || strings.HasSuffix(p, ".h")
}

// Run analyzes every patch of s in order.
func (a *Analyzer) Run(ctx context.Context, s *Series) *Result {
	res := &Result{}
	var mem *memTree
	if a.Tree != nil {
		mem = &memTree{base: a.Tree, files: map[string][]byte{}}
	}
	res.Unchecked = s.Unrecovered
	for _, p := range s.Patches {
		a.patch(ctx, s, p, mem, res)
	}
	return res
}

func (a *Analyzer) patch(ctx context.Context, s *Series, p *Patch, mem *memTree, res *Result) {
	type unit struct {
		f         *FileDiff
		pre, post []*image
		frag      bool // read as fragments
	}
	var units []*unit
	for _, f := range p.Files {
		if !IsC(f.Name()) && f.Name() != unknownFile {
			continue
		}
		if err := ctx.Err(); err != nil {
			// stopped (interrupted, out of time): what is left is unchecked
			res.Unchecked += len(f.Hunks)
			res.Diags = append(res.Diags, Diag{Input: s.Source, Line: f.Line, Message: label(p.Msg, s.Messages), File: f.Name(), Error: true,
				Text: fmt.Sprintf("not analyzed (%v): %d %s", err, len(f.Hunks), plural(len(f.Hunks), "hunk"))})
			continue
		}
		u := &unit{f: f}
		units = append(units, u)
		if mem != nil && f.Name() != unknownFile {
			if o, n, ok := a.images(s, p, f, mem, res); ok {
				u.pre, u.post = o, n
				continue
			}
		}
		u.pre, u.post = fragmentImages(f)
		u.frag = true
	}
	var all []*image
	for _, u := range units {
		all = append(append(all, u.pre...), u.post...)
	}
	a.parse(ctx, all)
	// A whole file the front end cannot read (binary, too large for it)
	// may still have hunks it can: they are read as fragments. What does
	// not parse even so is not analyzed, and says so.
	var again []*image
	for _, u := range units {
		if bad := parseFailure(u.pre, u.post); bad != nil && bad.frag == nil {
			res.Diags = append(res.Diags, Diag{Input: s.Source, Line: u.f.Line, Message: label(p.Msg, s.Messages), File: u.f.Name(),
				Text: fmt.Sprintf("cannot parse %s (%v): analyzed as fragments", quoteName(bad.path), bad.err)})
			u.pre, u.post = fragmentImages(u.f)
			u.frag = true
			again = append(append(again, u.pre...), u.post...)
		}
	}
	a.parse(ctx, again)
	var pre, post []*image
	for _, u := range units {
		if bad := parseFailure(u.pre, u.post); bad != nil {
			res.Unchecked += len(u.f.Hunks)
			res.Diags = append(res.Diags, Diag{Input: s.Source, Line: u.f.Line, Message: label(p.Msg, s.Messages), File: u.f.Name(), Error: true,
				Text: fmt.Sprintf("cannot parse the hunks (%v): %d %s not analyzed", bad.err, len(u.f.Hunks), plural(len(u.f.Hunks), "hunk"))})
			continue
		}
		if u.frag {
			res.Fragments += len(u.f.Hunks)
		}
		pre, post = append(pre, u.pre...), append(post, u.post...)
	}
	for _, im := range post {
		res.Stats.Files++
		for _, fn := range im.file.Functions {
			if im.frag == nil && !im.touches(fn.Pos.Line, fn.End.Line) {
				continue
			}
			res.Stats.Functions++
			if len(fn.ParseErrors) > 0 {
				res.Stats.FunctionsWithParseErrors++
			}
		}
	}
	for _, im := range post {
		res.Suppressions = append(res.Suppressions, im.suppressions()...)
	}
	texts := &lineTexts{ids: map[string]int{}}
	ctxIms := a.contextImages(ctx, post, mem)
	before, err := a.findings(pre, ctxIms, texts)
	var after []*placed
	if err == nil {
		after, err = a.findings(post, ctxIms, texts)
	}
	if err != nil {
		// the engine failed on this patch: none of its hunks is checked
		seen := map[*FileDiff]bool{}
		for _, im := range append(append([]*image{}, pre...), post...) {
			if !seen[im.f] {
				seen[im.f] = true
				res.Unchecked += len(im.f.Hunks)
				res.Diags = append(res.Diags, Diag{Input: s.Source, Line: im.f.Line, Message: label(p.Msg, s.Messages), File: im.f.Name(), Error: true,
					Text: fmt.Sprintf("the analysis failed (%v): %d %s not analyzed", err, len(im.f.Hunks), plural(len(im.f.Hunks), "hunk"))})
			}
		}
		return
	}
	ref := &report.PatchRef{Index: p.Subject.Index, Total: p.Subject.Total, Version: max(p.Subject.Version, 1),
		Subject: p.Subject.Title, MessageID: p.Msg.MessageID}
	if ref.Subject == "" {
		ref.Subject = p.Msg.Subject
	}
	if ref.Subject == "" && s.Source != "-" {
		ref.Subject = filepath.Base(s.Source) // a bare diff
	}
	// a finding after the patch and not before it is introduced; one in
	// both is preexisting; one only before it is fixed
	count := map[findingKey]int{}
	moved := map[anchor]int{} // findings anchored at a line of the patch (anchored)
	var wholes map[string]*image
	for _, f := range before {
		count[f.key]++
	}
	for _, f := range after {
		st := "introduced"
		if count[f.key] > 0 {
			count[f.key]--
			st = "preexisting"
		}
		if f.context && st == "preexisting" {
			continue // (the next file's own business)
		}
		f.Status = st
		f.Patch = ref
		if st == "introduced" {
			if wholes == nil {
				wholes = wholeImages(post)
			}
			if at := anchored(wholes, &f.Finding); at != nil {
				if prev, ok := moved[at.where()]; ok {
					merge(&res.Findings[prev], at)
					continue
				}
				moved[at.where()] = len(res.Findings)
				res.Findings = append(res.Findings, at.Finding)
				continue
			}
		}
		res.Findings = append(res.Findings, f.Finding)
	}
	// what the hunks read as fragments prove on their own, where the
	// engine's findings on each side do not already say it
	proofs, err := a.hunkProofs(pre, post)
	if err != nil {
		res.Diags = append(res.Diags, Diag{Input: s.Source, Message: label(p.Msg, s.Messages),
			Text: fmt.Sprintf("the comparison of the hunks' two sides failed (%v)", err)})
	}
	for _, f := range proofs {
		dup := false
		for _, g := range after {
			dup = dup || g.Rule == f.Rule && g.File == f.File && g.Line == f.Line
		}
		if !dup {
			f.Patch = ref
			res.Findings = append(res.Findings, f.Finding)
		}
	}
	gone := map[findingKey]int{}
	for _, f := range after {
		gone[f.key]++
	}
	for _, f := range before {
		if gone[f.key] > 0 {
			gone[f.key]--
			continue
		}
		f.Status = "fixed"
		f.Patch = ref
		res.Findings = append(res.Findings, f.Finding)
	}
}

// images reads a file before the patch from the tree and makes the file
// after it. When that cannot be done (a name refused by CheckPath, a
// file not in the tree or not readable, a hunk that does not apply) it
// says so in a warning and ok is false: the file's hunks are analyzed as
// fragments instead, so its code is still checked.
func (a *Analyzer) images(s *Series, p *Patch, f *FileDiff, mem *memTree, res *Result) (pre, post []*image, ok bool) {
	warn := func(hunk string, line int, format string, args ...any) {
		res.Diags = append(res.Diags, Diag{Input: s.Source, Line: line, Message: label(p.Msg, s.Messages), File: f.Name(),
			Hunk: hunk, Text: fmt.Sprintf(format, args...)})
	}
	// Refused before anything is read, whatever the Tree is. The name
	// the file is reported under must be sound; the other one is only
	// not tried. An absolute pre-image name is what diff(1) of a copy in
	// /tmp writes (seed 003), so skipping it needs no word; a ".." or a
	// NUL in it is an attempt and is named.
	if err := CheckPath(f.Name()); err != nil {
		// the name is the diagnostic's File already
		warn("", f.Line, "path refused (%v): analyzed as fragments, without the tree", err)
		return nil, nil, false
	}
	for _, n := range []string{f.OldName, f.NewName} {
		if n == f.Name() || n == "/dev/null" || n == "" {
			continue
		}
		if err := CheckPath(n); err != nil && !(n == f.OldName && strings.HasPrefix(n, "/") && CheckPath(strings.TrimLeft(n, "/")) == nil) {
			warn("", f.Line, "other name %s refused (%v): not looked for in the tree", quoteName(n), err)
		}
	}
	oldPath, newPath := f.OldName, f.NewName
	var before []byte
	if oldPath != "/dev/null" {
		// the old name first (a rename), then the new one (a patch whose
		// old name is a temporary copy), then their shorter forms
		var err error
		names := []string{f.OldName}
		if newPath != "/dev/null" {
			names = append(names, newPath)
		}
		oldPath, before, err = resolve(mem, names...)
		if err != nil {
			warn("", f.Line, "%v: analyzed as fragments", err)
			return nil, nil, false
		}
		if newPath != "/dev/null" && (newPath == oldPath || strings.HasSuffix(newPath, "/"+oldPath) || f.OldName == f.NewName) {
			newPath = oldPath
		}
	}
	var after []byte
	if a.Post != nil {
		if newPath != "/dev/null" {
			var err error
			if newPath, after, err = resolve(a.Post, newPath); err != nil {
				warn("", f.Line, "the changed file: %v: analyzed as fragments", err)
				return nil, nil, false
			}
		}
	} else {
		var how []applied
		after, how = Apply(before, f)
		failed := 0
		for k, h := range how {
			if !h.ok {
				failed++
				warn(f.Hunks[k].Header(), f.Hunks[k].Line, "hunk does not apply to the tree: the file is analyzed as fragments")
			}
		}
		if failed > 0 {
			return nil, nil, false
		}
		if newPath == "/dev/null" {
			mem.files[oldPath] = nil
		} else {
			mem.files[newPath] = after
		}
	}
	if oldPath != "/dev/null" && IsC(oldPath) {
		pre = append(pre, &image{f: f, side: Old, path: oldPath, src: before})
	}
	if newPath != "/dev/null" {
		post = append(post, &image{f: f, side: New, path: newPath, src: after})
	}
	return pre, post, true
}

// fragmentImages are the two sides of f as fragments (a side with no
// lines, or the old side of a new file, has none).
func fragmentImages(f *FileDiff) (pre, post []*image) {
	for _, side := range []Side{Old, New} {
		fr := BuildFragment(f, side)
		if len(fr.Src) == 0 {
			continue
		}
		im := &image{f: f, side: side, path: f.Name(), src: fr.Src, frag: fr}
		if side == Old {
			im.path = f.OldName
			if im.path == "/dev/null" || im.path == "" {
				continue
			}
			pre = append(pre, im)
		} else {
			post = append(post, im)
		}
	}
	return pre, post
}

// parseFailure is the first image of a file that did not parse, or nil.
func parseFailure(sides ...[]*image) *image {
	for _, ims := range sides {
		for _, im := range ims {
			if im.err != nil {
				return im
			}
		}
	}
	return nil
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

// The front end and the engine, as variables so that the tests can make
// them fail: their failures must be counted, not lost.
var (
	parseFile = parse.ParseFile
	runCheck  = check.Run
)

// parse parses the images, a few at a time.
func (a *Analyzer) parse(ctx context.Context, ims []*image) {
	jobs := a.Jobs
	if jobs <= 0 {
		jobs = 2
	}
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for _, im := range ims {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			// a panic in the front end is this image's failure, not the
			// end of the run: it is reported and counted as unchecked
			defer func() {
				if r := recover(); r != nil {
					im.file, im.err = &parse.File{Name: im.path}, fmt.Errorf("front end panic: %v", r)
				}
			}()
			f, err := parseFile(ctx, im.path, im.src)
			if err == nil && f == nil {
				err = errors.New("no result")
			}
			if err != nil {
				f = &parse.File{Name: im.path}
			}
			im.file, im.err = f, err
		}()
	}
	wg.Wait()
}

// placed is a finding in its real file and hunk, with the key that finds
// it again on the other side of the patch.
type placed struct {
	report.Finding
	key findingKey
	// context: in a file the patch does not touch (context.go), reported
	// only where the patch changes it
	context bool
}

// findingKey matches a finding before a patch with one after it: the
// same rule, file, function, line text (white space collapsed) and
// message. The line text is a number given by lineTexts, not the text:
// thousands of findings on one long added line each carrying a copy of
// it made memory and time grow with the square of the line.
type findingKey struct {
	rule, file, fn, msg string
	text                int
}

// lineTexts numbers the distinct line texts of the images of one patch,
// both sides, so that equal texts get equal numbers.
type lineTexts struct {
	ids map[string]int
}

// id is the number of line n of im, computed once per line.
func (lt *lineTexts) id(im *image, n int) int {
	if id, ok := im.textIDs[n]; ok {
		return id
	}
	if im.textIDs == nil {
		im.textIDs = map[int]int{}
	}
	t := collapse(im.line(n))
	id, ok := lt.ids[t]
	if !ok {
		id = len(lt.ids)
		lt.ids[t] = id
	}
	im.textIDs[n] = id
	return id
}

// line is line n (1-based) of the image's source, or "". The line starts
// are found once: LineAt per finding scans from the top each time.
func (im *image) line(n int) string {
	if im.starts == nil {
		im.starts = []int{0}
		for i, c := range im.src {
			if c == '\n' {
				im.starts = append(im.starts, i+1)
			}
		}
	}
	if n < 1 || n > len(im.starts) {
		return ""
	}
	end := len(im.src)
	if n < len(im.starts) {
		end = im.starts[n] - 1
	}
	return string(im.src[im.starts[n-1]:end])
}

var lineRef = regexp.MustCompile(`line \d+`)

// findings runs the engine over images analyzed together and places
// what it finds.
func (a *Analyzer) findings(ims, ctxIms []*image, texts *lineTexts) (out []*placed, err error) {
	if len(ims) == 0 {
		return nil, nil
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("engine panic: %v", r)
		}
	}()
	byPath := map[string]*image{}
	files := make([]*parse.File, 0, len(ims))
	for _, im := range ims {
		byPath[im.path] = im
		files = append(files, im.file)
	}
	for _, im := range ctxIms {
		byPath[im.path] = im
		files = append(files, im.file)
	}
	for _, f := range runCheck(a.Set, files) {
		im := byPath[f.File]
		if im == nil {
			continue
		}
		line, h := im.place(f.Line)
		if line == 0 {
			continue // on a line the fragment added (the end of a function it opened)
		}
		fn := f.Function
		if strings.HasPrefix(fn, FragmentFunc) {
			fn = ""
		}
		if im.frag == nil && im.f != nil && !a.relevant(im, f) {
			continue
		}
		msg := f.Message
		if im.frag != nil {
			// a message names lines of the fragment: say the real file's
			msg = lineRef.ReplaceAllStringFunc(msg, func(ref string) string {
				n, _ := strconv.Atoi(strings.TrimPrefix(ref, "line "))
				if real, _ := im.place(n); real > 0 {
					return "line " + strconv.Itoa(real)
				}
				return ref
			})
		}
		r := report.Finding{Rule: f.Rule, Severity: f.Severity, Message: msg, File: im.path, Line: line, Column: f.Column,
			Function: fn, Status: "unknown"}
		if h != nil {
			r.Hunk = &report.HunkRef{Header: h.Header(), OldStart: h.OldStart, NewStart: h.NewStart}
		}
		for _, n := range f.Trace {
			nim := byPath[n.File]
			if nim == nil {
				r.Trace = append(r.Trace, report.Note{File: n.File, Line: n.Line, Note: n.Note})
				continue
			}
			nl := n.Line
			if nl > 0 {
				if nl, _ = nim.place(n.Line); nl == 0 {
					continue
				}
			}
			if r.Hunk == nil && nim == im {
				if _, nh := im.place(n.Line); nh != nil {
					r.Hunk = &report.HunkRef{Header: nh.Header(), OldStart: nh.OldStart, NewStart: nh.NewStart}
				}
			}
			r.Trace = append(r.Trace, report.Note{File: nim.path, Line: nl, Note: n.Note})
		}
		name := im.path
		if im.f != nil {
			name = im.f.Name()
		}
		key := findingKey{rule: r.Rule, file: name, fn: fn, text: texts.id(im, f.Line),
			msg: lineRef.ReplaceAllString(r.Message, "line N")}
		out = append(out, &placed{r, key, im.f == nil})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out, nil
}

// relevant keeps, in a whole file, the findings of functions the patch
// touches and those whose trace passes through a hunk.
func (a *Analyzer) relevant(im *image, f check.Finding) bool {
	if im.touches(f.Line, f.Line) {
		return true
	}
	for _, fn := range im.file.Functions {
		if fn.Name == f.Function && fn.Pos.Line <= f.Line && f.Line <= fn.End.Line && im.touches(fn.Pos.Line, fn.End.Line) {
			return true
		}
	}
	// (a function the patch leaves alone: the finding is the patch's
	// when its trace goes through a hunk, a helper the patch changed)
	for _, n := range f.Trace {
		if n.File == im.path && n.Line > 0 && im.touches(n.Line, n.Line) {
			return true
		}
	}
	return false
}

// anchor is where an anchored finding is reported.
type anchor struct {
	rule, file string
	line       int
}

type anchoredFinding struct {
	report.Finding
	from report.Note // where the engine found it
	who  string      // the function it found it in, "f()"
}

func (f *anchoredFinding) where() anchor { return anchor{f.Rule, f.File, f.Line} }

// anchored places an introduced finding whose own function the patch
// does not change at the line of the patch its trace goes through: a
// helper the patch makes sleep is reported where it now sleeps, not at
// each caller (in this file or a context file) that holds a spinlock
// around the call, since that line is what the patch asks a reviewer
// to look at. The innermost such line of the trace is taken. It returns
// nil when the finding stays where it is.
func anchored(byPath map[string]*image, f *report.Finding) *anchoredFinding {
	if im := byPath[f.File]; im != nil {
		if im.touches(f.Line, f.Line) {
			return nil
		}
		if fn := enclosing(im, f.Line); fn == nil || im.touches(fn.Pos.Line, fn.End.Line) {
			return nil // a function the patch changes: its own line says it
		}
	}
	for i := len(f.Trace) - 1; i >= 0; i-- {
		n := f.Trace[i]
		im := byPath[n.File]
		if im == nil || n.Line <= 0 || !im.touches(n.Line, n.Line) {
			continue
		}
		fn := enclosing(im, n.Line)
		if fn == nil {
			continue
		}
		at := &anchoredFinding{Finding: *f, from: report.Note{File: f.File, Line: f.Line}}
		at.File, at.Line, at.Function = n.File, n.Line, fn.Name
		at.Column = 1 + len(im.line(n.Line)) - len(strings.TrimLeft(im.line(n.Line), " \t"))
		at.Hunk = nil
		if _, h := im.place(n.Line); h != nil {
			at.Hunk = &report.HunkRef{Header: h.Header(), OldStart: h.OldStart, NewStart: h.NewStart}
		}
		at.who = "a function"
		if f.Function != "" {
			at.who = f.Function + "()"
		}
		at.from.Note = fmt.Sprintf("found in %s, which the patch does not change; reported at the patch's line below", at.who)
		at.Trace = append([]report.Note{at.from}, f.Trace...)
		return at
	}
	return nil
}

// wholeImages are the patched files read whole after the patch, by
// path: the images a finding can be anchored in.
func wholeImages(post []*image) map[string]*image {
	byPath := map[string]*image{}
	for _, im := range post {
		if im.frag == nil && im.f != nil && im.file != nil {
			byPath[im.path] = im
		}
	}
	return byPath
}

// enclosing is the function of a whole image that holds line n.
func enclosing(im *image, n int) *parse.Function {
	for _, fn := range im.file.Functions {
		if fn.Pos.Line <= n && n <= fn.End.Line {
			return fn
		}
	}
	return nil
}

// merge adds a second caller's finding, anchored at the same line, to
// the first: one finding per line of the patch, each caller a note.
func merge(first *report.Finding, at *anchoredFinding) {
	if at.Severity.Rank() > first.Severity.Rank() {
		first.Severity = at.Severity
	}
	note := "also found in " + at.who
	if at.Message != first.Message {
		note += ": " + at.Message
	}
	first.Trace = append(first.Trace, report.Note{File: at.from.File, Line: at.from.Line, Note: note})
}
