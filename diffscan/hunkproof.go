package diffscan

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/locklint/locklint/check"
	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/report"
	"github.com/locklint/locklint/rules"
)

// What a hunk proves on its own, read without the tree: the old side and
// the new side of each file's hunks are analyzed as fragments, exit by
// exit, and an exit that the patch leaves in place but reaches in another
// lock state is evidence the whole-function analysis would also see:
//
//   - a release removed before a return that stays: the old side releases
//     the lock before that return, so the lock was held there; the new
//     side, analyzed with the lock assumed held where the old one shows it
//     held, reaches the return holding it (an error when the new side
//     takes the lock in view, a warning when only the release is seen);
//   - a release removed before a goto that stays, to a label not named
//     for unlocking: the old side jumped there without the lock, so the
//     code at the label does not release it (warning);
//   - a goto into an unlock label (by its name, or by a release the old
//     side shows right after the label) turned into a return (warning);
//   - a new return of an error with a lock taken in view still held
//     (warning: the release is not in view);
//   - a goto the patch keeps, which the old side made holding a lock it
//     took in view, made now without it because the patch removed that
//     acquisition: the code at the label was written for the lock held
//     (warning).
//
// The same hunk read backwards (the fix) gives none of these: each asks
// for a lock the new side holds and the old side did not, at an exit on a
// line both sides share or that the patch adds.

// lineMap relates the lines of a file diff's two sides.
type lineMap struct {
	oldToNew map[int]int  // context lines
	added    map[int]bool // new line numbers
	removed  map[int]bool // old line numbers
	// replaced maps an added line to the removed lines of its change
	// block (the `-` lines right before the `+` lines it belongs to), and
	// replacedBy a removed line to the added lines of its block
	replaced   map[int][]string
	replacedBy map[int][]string
	// addedText holds the added lines' texts, by new line
	addedText map[int]string
	// guards: the patch adds a guard() or scoped_guard(): releases it
	// removes may now happen at the end of a scope
	guards bool
	// unlockLabels are the labels the old side shows followed by a
	// release (`out:` then `mutex_unlock(&g->runqueue_mutex);`)
	unlockLabels map[string]bool
}

func newLineMap(f *FileDiff) *lineMap {
	m := &lineMap{oldToNew: map[int]int{}, added: map[int]bool{}, removed: map[int]bool{}, replaced: map[int][]string{},
		replacedBy: map[int][]string{}, addedText: map[int]string{}, unlockLabels: map[string]bool{}}
	for _, h := range f.Hunks {
		label := "" // a label of the old side, until its next code line
		for _, l := range h.Lines {
			if l.Op == '+' {
				continue
			}
			t := strings.TrimSpace(l.Text)
			switch {
			case t == "":
			case isLabel(t):
				label = strings.TrimSpace(t[:strings.IndexByte(t, ':')])
			default:
				if label != "" && strings.Contains(t, "unlock") {
					m.unlockLabels[label] = true
				}
				label = ""
			}
		}
		o, n := h.OldStart, h.NewStart
		var minus []string
		var minusAt []int
		for _, l := range h.Lines {
			switch l.Op {
			case ' ':
				m.oldToNew[o] = n
				o, n = o+1, n+1
				minus, minusAt = nil, nil
			case '-':
				m.removed[o] = true
				minus, minusAt = append(minus, l.Text), append(minusAt, o)
				o++
			case '+':
				m.added[n] = true
				m.addedText[n] = l.Text
				m.replaced[n] = minus
				for _, at := range minusAt {
					m.replacedBy[at] = append(m.replacedBy[at], l.Text)
				}
				if strings.Contains(l.Text, "guard(") {
					m.guards = true
				}
				n++
			}
		}
	}
	return m
}

// gotoRe reads `goto label;`.
var gotoRe = regexp.MustCompile(`^\s*goto\s+([A-Za-z_]\w*)\s*;`)

// unlockLabel tells whether a label's name says the code after it
// releases a lock (`unlock`, `out_unlock`, `err_release`).
func unlockLabel(l string) bool {
	l = strings.ToLower(l)
	return strings.Contains(l, "unlock") || strings.Contains(l, "release") || strings.Contains(l, "restore")
}

// probeExit is an exit of one side, placed in the real file.
type probeExit struct {
	check.ExitAt
	fn   string
	line int // real line
	hunk *Hunk
}

// sideExits runs the probe over a side's fragments.
func sideExits(a *Analyzer, ims []*image, assume map[string][]check.LockKey) (map[string]*check.FuncLocks, map[*image][]probeExit, error) {
	funcs := map[string]*check.FuncLocks{}
	exits := map[*image][]probeExit{}
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("engine panic: %v", r)
			}
		}()
		for _, im := range ims {
			_, fls := probe(a.Set, []*parse.File{im.file}, check.ProbeOptions{AssumeHeld: assume})
			for _, fl := range fls {
				funcs[im.path+"\x00"+fl.Name] = fl
				for _, x := range fl.Exits {
					line, h := im.place(x.Line)
					if line == 0 {
						continue
					}
					// where each lock was taken or released, in the real file
					locks := make([]check.LockAt, len(x.Locks))
					for i, l := range x.Locks {
						l.Line, _ = im.place(l.Line)
						locks[i] = l
					}
					x.Locks = locks
					exits[im] = append(exits[im], probeExit{ExitAt: x, fn: fl.Name, line: line, hunk: h})
				}
			}
		}
	}()
	return funcs, exits, err
}

// probe is the engine's probe, a variable like runCheck.
var probe = check.Probe

// hunkProofs compares the two sides of fragment-read files and returns
// what the hunks prove, with status introduced. pre and post are the
// fragment images of the same files.
func (a *Analyzer) hunkProofs(pre, post []*image) ([]*placed, error) {
	var frPre, frPost []*image
	for _, im := range pre {
		if im.frag != nil {
			frPre = append(frPre, im)
		}
	}
	for _, im := range post {
		if im.frag != nil {
			frPost = append(frPost, im)
		}
	}
	if len(frPost) == 0 {
		return nil, nil
	}
	oldFuncs, oldExits, err := sideExits(a, frPre, nil)
	if err != nil {
		return nil, err
	}
	// a lock the old side releases before taking it was held where that
	// piece of the function starts: assume it on the new side too
	assume := map[string][]check.LockKey{}
	for _, fl := range oldFuncs {
		assume[fl.Name] = append(assume[fl.Name], fl.ReleasedFirst...)
	}
	newFuncs, newExits, err := sideExits(a, frPost, assume)
	if err != nil {
		return nil, err
	}
	var out []*placed
	for _, im := range frPost {
		m := newLineMap(im.f)
		var old []probeExit
		for _, o := range frPre {
			if o.f == im.f {
				old = append(old, oldExits[o]...)
			}
		}
		byNew := map[int]probeExit{}
		for _, x := range newExits[im] {
			byNew[x.line] = x
		}
		add := func(x probeExit, rule, sev, msg string, trace ...report.Note) {
			fn := x.fn
			if strings.HasPrefix(fn, FragmentFunc) {
				fn = ""
			}
			r := report.Finding{Rule: rule, Severity: rules.Severity(sev), Message: msg, File: im.path, Line: x.line, Column: x.Col,
				Function: fn, Status: "introduced", Trace: trace}
			if x.hunk != nil {
				r.Hunk = &report.HunkRef{Header: x.hunk.Header(), OldStart: x.hunk.OldStart, NewStart: x.hunk.NewStart}
			}
			out = append(out, &placed{Finding: r})
		}
		note := func(line int, text string) report.Note { return report.Note{File: im.path, Line: line, Note: text} }
		seen := map[int]bool{}
		// a release removed before a return that stays
		for _, ox := range old {
			n, kept := m.oldToNew[ox.line]
			nx, ok := byNew[n]
			if !kept || !ok || ox.Label != "" || nx.Label != "" || seen[n] {
				continue
			}
			if ol, nl, ok := removedRelease(m, ox, nx); ok {
				sev, how := "warning", "held before the hunk"
				if !nl.Assumed && nl.Line > 0 {
					sev, how = "error", "taken at line "+fmt.Sprint(nl.Line)
				}
				seen[n] = true
				add(nx, "lock-balance", sev, fmt.Sprintf("%s is still held at this return: the patch removes its release before it (%s)", ol.Inst, strings.TrimSpace(ol.Text)),
					note(ol.Line, "released here before the patch: "+strings.TrimSpace(ol.Text)), note(nx.line, ol.Inst+" "+how))
			}
		}
		// a goto into an unlock label turned into a return: read from the
		// text, as the new side may have no lock operation left to analyze
		for _, n := range sortedLines(m.addedText) {
			t := m.addedText[n]
			col := strings.Index(t, "return")
			if col < 0 || !returnRe.MatchString(t) || seen[n] {
				continue
			}
			retarget := ""
			for _, r := range m.replaced[n] {
				if g := gotoRe.FindStringSubmatch(r); g != nil && (unlockLabel(g[1]) || m.unlockLabels[g[1]]) {
					retarget = g[1]
				}
			}
			if retarget == "" {
				continue
			}
			seen[n] = true
			x := probeExit{fn: fragmentFuncAt(im, n), line: n, hunk: hunkAt(im.f, n)}
			x.Col = col + 1
			add(x, "lock-balance", "warning", fmt.Sprintf("returns where the code before the patch jumped to %s, skipping the release there", retarget))
		}
		for _, nx := range newExits[im] {
			if seen[nx.line] || !m.added[nx.line] || nx.Label != "" {
				continue
			}
			// a new return of an error with a lock taken in view held
			if nx.ValueClass != "error" {
				continue
			}
			for _, nl := range nx.Locks {
				if nl.Held && !nl.Passed && !nl.Assumed && nl.Line > 0 && !m.added[nl.Line] {
					seen[nx.line] = true
					add(nx, "lock-balance", "warning", fmt.Sprintf("%s is still held at this new error return (taken at line %d)", nl.Inst, nl.Line),
						note(nl.Line, strings.TrimSpace(nl.Text)+" takes it here"))
					break
				}
			}
		}
		// a release removed before a goto that stays: the old side jumped
		// to the label without the lock, so the code there does not
		// release it
		for _, ox := range old {
			n, kept := m.oldToNew[ox.line]
			nx, ok := byNew[n]
			if !kept || !ok || ox.Label == "" || nx.Label != ox.Label || seen[n] || unlockLabel(ox.Label) {
				continue
			}
			if ol, _, ok := removedRelease(m, ox, nx); ok {
				seen[n] = true
				add(nx, "lock-balance", "warning", fmt.Sprintf("%s is still held at this goto %s: the patch removes its release before the jump, and the code at %s ran without it", ol.Inst, ox.Label, ox.Label),
					note(ol.Line, "released here before the patch: "+strings.TrimSpace(ol.Text)))
			}
		}
		// a goto that stays, made now without a lock the patch stopped taking before it
		for _, ox := range old {
			n, kept := m.oldToNew[ox.line]
			nx, ok := byNew[n]
			if !kept || !ok || ox.Label == "" || nx.Label != ox.Label || seen[n] {
				continue
			}
			for _, ol := range ox.Locks {
				if !ol.Held || ol.Assumed || ol.Passed || ol.Line == 0 || !m.removed[ol.Line] {
					continue
				}
				if nl, ok := lockAt(nx, ol.LockKey); ok && (nl.Held || nl.Released || nl.Passed) {
					continue
				}
				seen[n] = true
				add(nx, "release-unheld", "warning", fmt.Sprintf("goto %s now runs without %s: the patch no longer takes it before this jump, and the code at %s was reached with it held", ox.Label, ol.Inst, ox.Label),
					note(ol.Line, "taken here before the patch: "+strings.TrimSpace(ol.Text)))
				break
			}
		}
	}
	_ = newFuncs
	return out, nil
}

// removedRelease finds a lock the old exit ox is reached without, by a
// release the patch removes (not turned into another release, not with
// guard() added), that the new exit nx is reached holding: the lock as
// each side has it there.
func removedRelease(m *lineMap, ox, nx probeExit) (check.LockAt, check.LockAt, bool) {
	for _, ol := range ox.Locks {
		if !ol.Released || ol.Passed || ol.Line == 0 || !m.removed[ol.Line] || m.guards || replacedByRelease(m.replacedBy[ol.Line]) {
			continue
		}
		if nl, ok := lockAt(nx, ol.LockKey); ok && nl.Held && !nl.Passed {
			return ol, nl, true
		}
	}
	return check.LockAt{}, check.LockAt{}, false
}

func lockAt(x probeExit, k check.LockKey) (check.LockAt, bool) {
	for _, l := range x.Locks {
		if l.LockKey == k {
			return l, true
		}
	}
	return check.LockAt{}, false
}

var returnRe = regexp.MustCompile(`^\s*(\}\s*)?return\b`)

// replacedByRelease tells whether the lines that replace a removed release
// call something that says it releases (`cgroup_attach_unlock(true)`), or
// a guard: the release was converted, not dropped.
func replacedByRelease(lines []string) bool {
	for _, t := range lines {
		l := strings.ToLower(t)
		if strings.Contains(l, "unlock") || strings.Contains(l, "release") || strings.Contains(l, "guard(") || strings.Contains(l, "restore") {
			return true
		}
	}
	return false
}

func sortedLines(m map[int]string) []int {
	out := make([]int, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// hunkAt is the hunk of f whose new side holds line n.
func hunkAt(f *FileDiff, n int) *Hunk {
	for _, h := range f.Hunks {
		if n >= h.NewStart && n < h.NewStart+max(h.NewLines, 1) {
			return h
		}
	}
	return nil
}

// fragmentFuncAt names the function of a new-side fragment around real
// line n, as the front end read it.
func fragmentFuncAt(im *image, n int) string {
	if im.file == nil {
		return ""
	}
	for _, fn := range im.file.Functions {
		from, _ := im.place(fn.Pos.Line)
		to, _ := im.place(fn.End.Line)
		for l := fn.Pos.Line; from == 0 && l <= fn.End.Line; l++ {
			from, _ = im.place(l)
		}
		for l := fn.End.Line; to == 0 && l >= fn.Pos.Line; l-- {
			to, _ = im.place(l)
		}
		if from > 0 && from <= n && n <= to {
			return fn.Name
		}
	}
	return ""
}
