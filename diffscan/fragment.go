package diffscan

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/locklint/locklint/check"
)

// Side is one image of a diff.
type Side int

const (
	// Old is the code before the patch: context and removed lines.
	Old Side = iota
	// New is the code after it: context and added lines.
	New
)

// Fragment is C text built from the hunks of one file diff, one side, for
// the parser: hunks in order, each put at the brace depth its code needs
// (opened by a function around it when it starts inside one), with a call
// to check.HavocCallee wherever lines were left out between two hunks.
type Fragment struct {
	File *FileDiff
	Side Side
	Src  []byte
	// lines[i] is the real line (old or new file) of Src's line i+1 and
	// hunk[i] its hunk; 0 and -1 for lines added here.
	lines []int
	hunk  []int
}

// Real maps a line of Src to the real file's line and its hunk (nil for a
// line this package added).
func (fr *Fragment) Real(line int) (int, *Hunk) {
	if line < 1 || line > len(fr.lines) || fr.lines[line-1] == 0 {
		return 0, nil
	}
	return fr.lines[line-1], fr.File.Hunks[fr.hunk[line-1]]
}

// FragmentFunc is the name prefix of the functions a fragment opens
// around hunks whose function is not known.
const FragmentFunc = "__locklint_fragment_"

// sideLines is a hunk's lines on one side with their real line numbers.
func sideLines(h *Hunk, side Side) ([]string, int) {
	var out []string
	start := h.NewStart
	if side == Old {
		start = h.OldStart
	}
	for _, l := range h.Lines {
		if l.Op == ' ' || side == New && l.Op == '+' || side == Old && l.Op == '-' {
			out = append(out, l.Text)
		}
	}
	return out, start
}

// BuildFragment makes the fragment of f's hunks on side.
func BuildFragment(f *FileDiff, side Side) *Fragment {
	fr := &Fragment{File: f, Side: side}
	var b strings.Builder
	emit := func(text string, real, hunk int) {
		b.WriteString(text)
		b.WriteByte('\n')
		fr.lines = append(fr.lines, real)
		fr.hunk = append(fr.hunk, hunk)
	}
	depth := 0    // braces open at the end of what is emitted
	fn := ""      // name of the function open, when known
	wrappers := 0 // functions opened here
	for k, h := range f.Hunks {
		lines, start := sideLines(h, side)
		if len(lines) == 0 {
			continue
		}
		p := profile(lines)
		s := p.startDepth()
		name := sectionFunc(h.Section)
		if depth > 0 && name != "" && fn != "" && name != fn {
			// another function: close this one
			for ; depth > 0; depth-- {
				emit("}", 0, -1)
			}
		}
		if depth > 0 {
			// the ';' ends a statement the hunk left open (`if (x)`), so
			// that the unseen code is not made conditional on it
			emit(";"+check.HavocCallee+"();", 0, -1)
		}
		switch {
		case depth == 0 && s == 0 && p.bodyFirst:
			// the hunk starts with the function's `{`: its header is
			// only in the section text
			fn = name
			if fn == "" {
				fn = fmt.Sprintf("%s%d", FragmentFunc, wrappers)
			}
			wrappers++
			emit("void "+fn+"(void)", 0, -1)
		case depth == 0 && s > 0:
			fn = name
			if fn == "" {
				fn = fmt.Sprintf("%s%d", FragmentFunc, wrappers)
			}
			wrappers++
			emit("void "+fn+"(void) {", 0, -1)
			for i := 1; i < s; i++ {
				emit("{", 0, -1)
			}
		case s > depth:
			for i := depth; i < s; i++ {
				emit("{", 0, -1)
			}
		case s < depth:
			for i := s; i < depth; i++ {
				emit("}", 0, -1)
			}
		}
		if p.startsInComment {
			emit("/*", 0, -1)
		}
		if firstIsJump(lines) {
			// the hunk starts with the end of a branch whose test it does
			// not show (`\t\treturn -EINVAL;` after `if (...)`): the paths
			// that skip it are there too
			emit("if ("+check.HavocCallee+"())", 0, -1)
		}
		for i, t := range lines {
			emit(t, start+i, k)
		}
		if p.endsInComment {
			emit("*/", 0, -1)
		}
		if strings.HasSuffix(lines[len(lines)-1], `\`) {
			emit("", 0, -1)
		}
		depth = s + p.net
		if depth <= 0 {
			depth, fn = 0, ""
		}
	}
	for ; depth > 0; depth-- {
		emit("}", 0, -1)
	}
	fr.Src = []byte(b.String())
	return fr
}

// firstIsJump tells whether a hunk side's first code line is a return,
// goto, break or continue.
func firstIsJump(lines []string) bool {
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		for _, w := range []string{"return", "goto ", "break;", "continue;"} {
			if strings.HasPrefix(t, w) && (w != "return" || len(t) == 6 || t[6] == ' ' || t[6] == ';' || t[6] == '(') {
				return true
			}
		}
		return false
	}
	return false
}

var sectionName = regexp.MustCompile(`([A-Za-z_]\w*)\s*\(`)

// sectionFunc is the function a hunk header's section text names
// ("static int do_swap_page(struct mm_struct" -> do_swap_page), or "".
func sectionFunc(sec string) string {
	m := sectionName.FindStringSubmatch(sec)
	if m == nil || strings.Contains(sec, "=") || strings.HasPrefix(strings.TrimSpace(sec), "#") {
		return ""
	}
	switch m[1] {
	case "if", "for", "while", "switch", "return", "sizeof":
		return ""
	}
	return m[1]
}

// braceProfile is what a hunk's braces say about where it starts.
type braceProfile struct {
	min, net                       int
	startsInComment, endsInComment bool
	// stmtAtMin: code at the lowest depth looks like a statement, so that
	// depth is still inside a function
	stmtAtMin bool
	// bodyFirst: the first code line is a lone `{` at column 0
	bodyFirst bool
	// tabs is the least (leading tabs - relative depth) over code lines,
	// -1 without tab-indented code (mail that lost its indentation)
	tabs int
}

func (p braceProfile) startDepth() int {
	s := -p.min
	if p.stmtAtMin {
		s++
	}
	if p.tabs > s {
		s = p.tabs
	}
	return s
}

var topLevel = regexp.MustCompile(`^(static|extern|inline|const|unsigned|signed|void|int|long|short|char|bool|struct|enum|union|typedef|asmlinkage|__init|__exit|noinline|SYSCALL_DEFINE\d|EXPORT_SYMBOL\w*|module_\w+|MODULE_\w+|late_initcall|subsys_initcall|core_initcall|__setup|DEFINE_\w+|[a-z0-9_]+_t|u8|u16|u32|u64|s8|s16|s32|s64)\b`)

// profile scans a hunk side's lines: braces outside comments, strings and
// preprocessor lines.
func profile(lines []string) braceProfile {
	for _, inComment := range []bool{false, true} {
		p, ok := scanBraces(lines, inComment)
		if ok {
			return p
		}
	}
	p, _ := scanBraces(lines, false)
	return p
}

// scanBraces computes the profile starting in or out of a comment; it
// fails when a comment closes that never opened (the hunk starts inside
// one).
func scanBraces(lines []string, inComment bool) (braceProfile, bool) {
	p := braceProfile{startsInComment: inComment, tabs: -1}
	d := 0
	cont := false // previous line continued a preprocessor line
	type codeLine struct {
		depth int
		text  string
	}
	var code []codeLine
	for _, t := range lines {
		trim := strings.TrimSpace(t)
		if !inComment && (cont || strings.HasPrefix(trim, "#")) {
			cont = strings.HasSuffix(trim, `\`)
			continue
		}
		lineDepth := d
		closersDone := false
		isCode := false
		for i := 0; i < len(t); i++ {
			c := t[i]
			if inComment {
				if c == '*' && i+1 < len(t) && t[i+1] == '/' {
					inComment = false
					i++
				}
				continue
			}
			switch c {
			case '/':
				if i+1 < len(t) && t[i+1] == '/' {
					i = len(t)
					continue
				}
				if i+1 < len(t) && t[i+1] == '*' {
					inComment = true
					i++
					continue
				}
			case '*':
				if i+1 < len(t) && t[i+1] == '/' {
					return p, false
				}
			case '"', '\'':
				for i++; i < len(t) && t[i] != c; i++ {
					if t[i] == '\\' {
						i++
					}
				}
			case '{':
				d++
			case '}':
				d--
				if d < p.min {
					p.min = d
				}
				if !closersDone {
					lineDepth = d
				}
			}
			if c != ' ' && c != '\t' {
				if c != '}' {
					closersDone = true
				}
				isCode = true
			}
		}
		if isCode && !strings.HasPrefix(trim, "*") {
			code = append(code, codeLine{lineDepth, t})
		}
	}
	p.net = d
	p.endsInComment = inComment
	p.bodyFirst = len(code) > 0 && code[0].text == "{" && code[0].depth == 0
	hasTabs := false
	for _, c := range code {
		hasTabs = hasTabs || strings.HasPrefix(c.text, "\t")
	}
	for _, c := range code {
		trim := strings.TrimSpace(c.text)
		if isLabel(trim) {
			continue
		}
		if c.depth == p.min && trim != "}" && !strings.HasPrefix(trim, "{") && !topLevel.MatchString(trim) {
			p.stmtAtMin = true
		}
		if hasTabs {
			n := len(c.text) - len(strings.TrimLeft(c.text, "\t"))
			if est := n - c.depth; p.tabs < 0 || est < p.tabs {
				p.tabs = est
			}
		}
	}
	return p, true
}

var labelRe = regexp.MustCompile(`^[A-Za-z_]\w*:($|\s)`)

func isLabel(trim string) bool {
	return labelRe.MatchString(trim) && !strings.HasPrefix(trim, "default:")
}
