package diffscan

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"

	"github.com/sourcegraph/go-diff/diff"
)

// Patch is the diff one message carries.
type Patch struct {
	Msg     *Message
	Subject Subject
	// Quoted is set when the diff was recovered from a reply that quotes
	// it with "> ".
	Quoted bool
	Files  []*FileDiff
}

// FileDiff is the diff of one file.
type FileDiff struct {
	// OldName and NewName are the paths in the --- and +++ headers, with
	// a/ and b/ (or another first component both share) stripped;
	// "/dev/null" for a created or deleted file.
	OldName, NewName string
	Line             int // input line of the header, 0 when none
	Hunks            []*Hunk
}

// Name is the file's path after the patch (before it, for a deletion).
func (f *FileDiff) Name() string {
	if f.NewName != "" && f.NewName != "/dev/null" {
		return f.NewName
	}
	return f.OldName
}

// Hunk is one hunk, as go-diff read it after repair.
type Hunk struct {
	OldStart, OldLines, NewStart, NewLines int
	Section                                string
	Lines                                  []Line
	Line                                   int // input line of the @@ header
}

// Line is one line of a hunk: Op is ' ', '-' or '+'.
type Line struct {
	Op   byte
	Text string
	Src  int // input line
}

// Header is the hunk's @@ line without the section text.
func (h *Hunk) Header() string {
	return fmt.Sprintf("@@ -%s +%s @@", rng(h.OldStart, h.OldLines), rng(h.NewStart, h.NewLines))
}

func rng(start, n int) string {
	if n == 1 {
		return strconv.Itoa(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

// srcLine is a line of a message body with its line number in the input.
type srcLine struct {
	text string
	n    int
}

// repairs counts what was mended in one message's diff, for one summary
// diagnostic.
type repairs struct {
	eatenSpace, blankContext, entities, mangled, short, crlf int
}

func (r *repairs) String() string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%s: %d", what, n))
		}
	}
	add(r.eatenSpace, "context lines that had lost their leading space")
	add(r.blankContext, "blank context lines that had lost their space")
	add(r.entities, "lines with HTML entities (&amp; &lt; ...)")
	add(r.mangled, "identifiers mangled into entity characters (¤t for &current)")
	add(r.short, "hunks shorter than their headers say (blank lines lost in the mail?), line counts adjusted")
	add(r.crlf, "lines ending in CR")
	return strings.Join(parts, "; ")
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$`)

// unknownFile names the file of hunks that came without a file header
// (a reply quoting one hunk). Its hunks are read as C fragments, never
// looked for in a tree: left out, they would go unchecked uncounted.
const unknownFile = "(unknown file)"

// extractor reads the diffs out of the lines of one message body.
type extractor struct {
	source, msg string
	lines       []srcLine
	files       []*FileDiff
	diags       []Diag
	rep         repairs
	hunks       int
	unrecovered int
}

func (x *extractor) diag(line int, file, hunk string, isErr bool, format string, args ...any) {
	x.diags = append(x.diags, Diag{Input: x.source, Line: line, Message: x.msg, File: file, Hunk: hunk, Error: isErr, Text: fmt.Sprintf(format, args...)})
}

// hasHunk tells whether lines hold a hunk header.
func hasHunk(lines []srcLine) bool {
	for _, l := range lines {
		if strings.HasPrefix(l.text, "@@ -") && hunkHeader.MatchString(l.text) {
			return true
		}
	}
	return false
}

// quotedLines is the text quoted with "> " in lines, one level stripped;
// the reply's own lines between are left out.
func quotedLines(lines []srcLine) []srcLine {
	var out []srcLine
	for _, l := range lines {
		t := l.text
		if !strings.HasPrefix(t, ">") {
			continue
		}
		t = t[1:]
		if strings.HasPrefix(t, " ") {
			t = t[1:]
		}
		out = append(out, srcLine{t, l.n})
	}
	return out
}

func (x *extractor) run() {
	var cur *FileDiff
	var gitOld, gitNew string
	lines := x.lines
	for i := 0; i < len(lines); {
		t := lines[i].text
		switch {
		case strings.HasPrefix(t, "diff --git "):
			gitOld, gitNew = gitNames(t[len("diff --git "):])
			cur = nil
			i++
		case strings.HasPrefix(t, "--- ") && i+1 < len(lines) && strings.HasPrefix(lines[i+1].text, "+++ "):
			old, nw := stripPrefixes(fileName(t[4:]), fileName(lines[i+1].text[4:]))
			if old == "" && nw == "" {
				old, nw = gitOld, gitNew
			}
			cur = &FileDiff{OldName: old, NewName: nw, Line: lines[i].n}
			x.files = append(x.files, cur)
			gitOld, gitNew = "", ""
			i += 2
		case strings.HasPrefix(t, "@@ -") && hunkHeader.MatchString(t):
			if cur == nil {
				name := gitNew
				if name == "" {
					name = unknownFile
					x.diag(lines[i].n, "", strings.TrimSpace(t), false, "hunk without a file header: the file is not known; read as a C fragment")
				}
				cur = &FileDiff{OldName: name, NewName: name, Line: lines[i].n}
				x.files = append(x.files, cur)
			}
			i = x.readHunk(cur, i)
		default:
			i++
		}
	}
	// files whose headers came without hunks (renames, mode changes,
	// binary diffs) carry nothing to analyze
	kept := x.files[:0]
	for _, f := range x.files {
		if len(f.Hunks) > 0 {
			kept = append(kept, f)
		}
	}
	x.files = kept
}

// readHunk reads the hunk whose header is lines[i], guided by the
// header's line counts, and returns the index after it.
func (x *extractor) readHunk(f *FileDiff, i int) int {
	m := hunkHeader.FindStringSubmatch(x.lines[i].text)
	h := &Hunk{Line: x.lines[i].n, Section: strings.TrimSpace(m[5])}
	h.OldStart, _ = strconv.Atoi(m[1])
	h.NewStart, _ = strconv.Atoi(m[3])
	h.OldLines, h.NewLines = 1, 1
	if m[2] != "" {
		h.OldLines, _ = strconv.Atoi(m[2])
	}
	if m[4] != "" {
		h.NewLines, _ = strconv.Atoi(m[4])
	}
	header := h.Header()
	x.hunks++
	needOld, needNew := h.OldLines, h.NewLines
	var eaten int
	i++
	for ; i < len(x.lines) && (needOld > 0 || needNew > 0); i++ {
		t := x.lines[i].text
		if endsHunk(x.lines, i) {
			break
		}
		op := byte(' ')
		text := t
		switch {
		case t == "":
			x.rep.blankContext++
		case t[0] == ' ':
			text = t[1:]
		case t[0] == '-' || t[0] == '+':
			op, text = t[0], t[1:]
		case t[0] == '\\':
			continue // "\ No newline at end of file"
		default:
			eaten++
		}
		if op == '-' && needOld == 0 || op == '+' && needNew == 0 || op == ' ' && (needOld == 0 || needNew == 0) {
			x.diag(x.lines[i].n, f.Name(), header, false, "hunk has more lines than its header says; read up to here")
			break
		}
		switch op {
		case ' ':
			needOld--
			needNew--
		case '-':
			needOld--
		case '+':
			needNew--
		}
		h.Lines = append(h.Lines, Line{Op: op, Text: x.repairText(text), Src: x.lines[i].n})
	}
	x.rep.eatenSpace += eaten
	if i < len(x.lines) && strings.HasPrefix(x.lines[i].text, `\`) {
		i++
	}
	if len(h.Lines) == 0 {
		x.unrecovered++
		x.diag(h.Line, f.Name(), header, true, "hunk has no lines: it cannot be recovered")
		return i
	}
	if needOld > 0 || needNew > 0 {
		x.rep.short++
		h.OldLines -= needOld
		h.NewLines -= needNew
	}
	f.Hunks = append(f.Hunks, h)
	return i
}

// endsHunk tells whether lines[i] cannot be part of a hunk: the next
// header, or a mail footer or signature.
func endsHunk(lines []srcLine, i int) bool {
	t := lines[i].text
	next := ""
	if i+1 < len(lines) {
		next = lines[i+1].text
	}
	switch {
	case strings.HasPrefix(t, "@@ -") && hunkHeader.MatchString(t):
		return true
	case strings.HasPrefix(t, "--- ") && strings.HasPrefix(next, "+++ "):
		return true
	case strings.HasPrefix(t, "diff --git ") || strings.HasPrefix(t, "Index: ") && strings.HasPrefix(next, "===="):
		return true
	case t == "-- " || t == "--" && (next == "" || isFooter(next)):
		return true // signature
	case (t == "-" || t == "") && isFooter(next):
		return true
	case isFooter(t):
		return true
	}
	return false
}

// isFooter recognises the first line of a mailing list's footer.
func isFooter(t string) bool {
	return strings.HasPrefix(t, "To unsubscribe from this list") || strings.HasPrefix(t, "To unsubscribe, send a message") ||
		strings.HasPrefix(t, "_______________________________________________") ||
		strings.HasPrefix(t, "Please read the FAQ at") || strings.HasPrefix(t, "More majordomo info at")
}

// entityChars are the Latin-1 characters that HTML's legacy named
// entities decode to even without a ';': an archive that did not escape
// '&' turns "&current" into "¤t" and "&regs" into "®s".
var entityChars = map[rune]string{
	'¤': "&curren", '®': "&reg", '©': "&copy", '¬': "&not", '¶': "&para", '§': "&sect",
	'×': "&times", '¢': "&cent", '£': "&pound", '¥': "&yen", '°': "&deg", '±': "&plusmn",
	'·': "&middot", '¦': "&brvbar", '¨': "&uml", 'ª': "&ordf", '«': "&laquo", '¯': "&macr",
	'²': "&sup2", '³': "&sup3", '´': "&acute", '¸': "&cedil", '¹': "&sup1", 'º': "&ordm",
	'»': "&raquo", '¼': "&frac14", '½': "&frac12", '¾': "&frac34", '¿': "&iquest", '÷': "&divide",
	'ð': "&eth", 'þ': "&thorn", 'ß': "&szlig", '¡': "&iexcl",
}

var escapedEntity = regexp.MustCompile(`&(amp|lt|gt|quot|apos|nbsp|#[0-9]+|#x[0-9a-fA-F]+);`)

// repairText undoes what mail and archives do to a line of code.
func (x *extractor) repairText(t string) string {
	if strings.HasSuffix(t, "\r") {
		t = strings.TrimRight(t, "\r")
		x.rep.crlf++
	}
	if strings.IndexByte(t, '&') >= 0 && escapedEntity.MatchString(t) {
		t = html.UnescapeString(t)
		x.rep.entities++
	}
	if strings.ContainsRune(t, '\u00a0') {
		t = strings.ReplaceAll(t, "\u00a0", " ")
	}
	if hasHighLatin(t) {
		t = x.unmangle(t)
	}
	return t
}

func hasHighLatin(t string) bool {
	for i := 0; i < len(t); i++ {
		if t[i] == 0xc2 || t[i] == 0xc3 {
			return true
		}
	}
	return false
}

// unmangle turns "¤t" back into "&current": an entity character right
// before an identifier's letters, where code, not prose, puts an '&'.
func (x *extractor) unmangle(t string) string {
	var b strings.Builder
	rs := []rune(t)
	changed := false
	for i, r := range rs {
		if ent, ok := entityChars[r]; ok && i+1 < len(rs) && isIdentRune(rs[i+1]) && (i == 0 || !isIdentRune(rs[i-1])) {
			b.WriteString(ent)
			changed = true
			continue
		}
		b.WriteRune(r)
	}
	if !changed {
		return t
	}
	x.rep.mangled++
	return b.String()
}

func isIdentRune(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

var (
	dateSuffix = regexp.MustCompile(`\s+((Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} +\d+ \d+:\d+:\d+(\.\d+)? \d{4}|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?( [+-]\d{4})?)$`)
)

// fileName is the path in a ---/+++ header: up to a tab, without a
// timestamp (mail turns the tab into spaces). A name git quoted (one with
// a control character, a quote or a backslash) is decoded; a raw tab
// cannot be in it, git writes \t.
func fileName(s string) string {
	if strings.HasPrefix(s, `"`) {
		if name, rest, ok := unquoteC(s); ok && strings.TrimSpace(dateSuffix.ReplaceAllString(rest, "")) == "" {
			return name
		}
	}
	if i := strings.IndexByte(s, '\t'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(dateSuffix.ReplaceAllString(strings.TrimRight(s, " \r"), ""))
}

// unquoteC decodes the C-style quoted name git writes at the start of s
// ("a/nl\nx.c", octal escapes for other bytes: \303\251 is UTF-8 é) and
// returns it with the rest of s. ok is false when s does not start with
// a well-formed quoted name; it is then taken as it is.
func unquoteC(s string) (name, rest string, ok bool) {
	if !strings.HasPrefix(s, `"`) {
		return "", s, false
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			return b.String(), s[i+1:], true
		case '\\':
			i++
			if i == len(s) {
				return "", s, false
			}
			switch e := s[i]; e {
			case 'a':
				b.WriteByte('\a')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'v':
				b.WriteByte('\v')
			case '"', '\\':
				b.WriteByte(e)
			default:
				if e < '0' || e > '3' { // git writes three octal digits, at most \377
					return "", s, false
				}
				v := 0
				for k := 0; k < 3; k++ {
					if i+k >= len(s) || s[i+k] < '0' || s[i+k] > '7' {
						return "", s, false
					}
					v = v*8 + int(s[i+k]-'0')
				}
				b.WriteByte(byte(v))
				i += 2
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", s, false
}

// gitNames reads the two names of a diff --git line, "a/x b/y", either
// of them quoted by git. The a/ and b/ prefixes are dropped.
func gitNames(s string) (string, string) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, `"`) {
		old, rest, ok := unquoteC(s)
		if !ok || !strings.HasPrefix(rest, " ") {
			return "", ""
		}
		rest = strings.TrimLeft(rest, " ")
		nw := rest
		if strings.HasPrefix(rest, `"`) {
			var tail string
			if nw, tail, ok = unquoteC(rest); !ok || strings.TrimSpace(tail) != "" {
				return "", ""
			}
		}
		return stripGitPrefixes(old, nw)
	}
	if i := strings.Index(s, ` "b/`); i >= 0 {
		if nw, tail, ok := unquoteC(s[i+1:]); ok && strings.TrimSpace(tail) == "" {
			return stripGitPrefixes(s[:i], nw)
		}
	}
	if i := strings.Index(s, " b/"); i >= 0 && strings.HasPrefix(s, "a/") {
		return s[2:i], s[i+3:]
	}
	f := strings.Fields(s)
	if len(f) == 2 {
		return f[0], f[1]
	}
	return "", ""
}

func stripGitPrefixes(old, nw string) (string, string) {
	if strings.HasPrefix(old, "a/") && strings.HasPrefix(nw, "b/") {
		return old[2:], nw[2:]
	}
	return old, nw
}

// stripPrefixes drops git's a/ and b/, or another first component both
// names have (linux-2.3.orig/mm/mmap.c, linux/mm/mmap.c).
func stripPrefixes(old, nw string) (string, string) {
	first := func(s string) (string, string) {
		if i := strings.IndexByte(s, '/'); i > 0 {
			return s[:i], s[i+1:]
		}
		return "", s
	}
	if old == "/dev/null" || nw == "/dev/null" {
		if strings.HasPrefix(old, "a/") {
			old = old[2:]
		}
		if strings.HasPrefix(nw, "b/") {
			nw = nw[2:]
		}
		return old, nw
	}
	po, ro := first(old)
	pn, rn := first(nw)
	if po == "a" && pn == "b" || po != "" && pn != "" && po != pn && ro == rn && !strings.HasPrefix(old, "/") {
		return ro, rn
	}
	return old, nw
}

// viaGoDiff renders a repaired file diff in canonical form and has
// go-diff read it: what go-diff accepts is what is analyzed.
func viaGoDiff(f *FileDiff) error {
	var b bytes.Buffer
	// go-diff is given placeholder names: the names are not what it is
	// asked to read, and one with a newline in it (git writes such names
	// quoted; they are decoded by now) would end its header line
	b.WriteString("--- a/file\n+++ b/file\n")
	for _, h := range f.Hunks {
		fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@", h.OldStart, h.OldLines, h.NewStart, h.NewLines)
		if h.Section != "" {
			b.WriteString(" " + h.Section)
		}
		b.WriteByte('\n')
		for _, l := range h.Lines {
			b.WriteByte(l.Op)
			b.WriteString(l.Text)
			b.WriteByte('\n')
		}
	}
	gd, err := diff.ParseFileDiff(b.Bytes())
	if err != nil {
		return err
	}
	if len(gd.Hunks) != len(f.Hunks) {
		return fmt.Errorf("go-diff read %d hunks of %d", len(gd.Hunks), len(f.Hunks))
	}
	for i, gh := range gd.Hunks {
		h := f.Hunks[i]
		body := strings.Split(strings.TrimSuffix(string(gh.Body), "\n"), "\n")
		if len(body) != len(h.Lines) {
			return fmt.Errorf("go-diff read %d lines of %d in %s", len(body), len(h.Lines), h.Header())
		}
		h.OldStart, h.OldLines, h.NewStart, h.NewLines = int(gh.OrigStartLine), int(gh.OrigLines), int(gh.NewStartLine), int(gh.NewLines)
		h.Section = gh.Section
		for j, l := range body {
			if l == "" {
				return fmt.Errorf("go-diff gave an empty line in %s", h.Header())
			}
			h.Lines[j].Op, h.Lines[j].Text = l[0], l[1:]
		}
	}
	return nil
}
