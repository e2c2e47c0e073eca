package diffscan

import (
	"bytes"
	"io/fs"
	"strings"
)

// Tree reads files as they are before a series is applied.
type Tree interface {
	// ReadFile returns a file's bytes; an error wrapping fs.ErrNotExist
	// when it is not there.
	ReadFile(path string) ([]byte, error)
}

// applied is one hunk's place in the result of Apply.
type applied struct {
	ok     bool
	offset int // lines from where the header said
	fuzz   int // context lines ignored at each end
	loose  bool
}

// Apply applies f's hunks to src in order, like patch(1): each hunk is
// looked for where its header says, then further away, then with
// whitespace ignored (mail mangles indentation), then ignoring up to two
// context lines at each end. It returns the result and, per hunk,
// whether and how it applied. Hunks that do not apply are left out.
func Apply(src []byte, f *FileDiff) ([]byte, []applied) {
	text := string(src)
	endNL := strings.HasSuffix(text, "\n")
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if text == "" {
		lines = nil
	}
	res := make([]applied, len(f.Hunks))
	var norm []string // lines with their white space collapsed, made when needed
	var out []string
	pos, offset := 0, 0 // next unconsumed source line; drift so far
	for k, h := range f.Hunks {
		old := make([]string, 0, len(h.Lines))
		for _, l := range h.Lines {
			if l.Op != '+' {
				old = append(old, l.Text)
			}
		}
		want := h.OldStart - 1 + offset
		if h.OldLines == 0 {
			want = h.OldStart + offset
		}
		at, lo, hi, loose, ok := locate(lines, &norm, old, h, want, pos)
		if !ok {
			continue
		}
		res[k] = applied{ok: true, offset: at - lo - (h.OldStart - 1), fuzz: max(lo, hi), loose: loose}
		out = append(out, lines[pos:at]...)
		i := at // source line of the hunk's next old line
		skip := lo
		for j, l := range h.Lines {
			if skip > 0 && l.Op == ' ' {
				skip-- // ignored leading context: not matched, not consumed
				continue
			}
			skip = 0
			if hi > 0 && j >= len(h.Lines)-hi {
				break // ignored trailing context
			}
			switch l.Op {
			case ' ':
				out = append(out, lines[i])
				i++
			case '-':
				i++
			case '+':
				out = append(out, l.Text)
			}
		}
		pos = i
		offset = at - lo - (h.OldStart - 1)
	}
	out = append(out, lines[pos:]...)
	r := strings.Join(out, "\n")
	if endNL || len(lines) == 0 && len(out) > 0 {
		r += "\n"
	}
	return []byte(r), res
}

func trailingContext(h *Hunk) int {
	n := 0
	for j := len(h.Lines) - 1; j >= 0 && h.Lines[j].Op == ' '; j-- {
		n++
	}
	return n
}

func leadingContext(h *Hunk) int {
	n := 0
	for _, l := range h.Lines {
		if l.Op != ' ' {
			break
		}
		n++
	}
	return n
}

// locate finds where a hunk's old lines are, at or after from, nearest
// to want. It returns the line where the matched part starts.
func locate(lines []string, norm *[]string, old []string, h *Hunk, want, from int) (at, lo, hi int, loose, ok bool) {
	lead, trail := leadingContext(h), trailingContext(h)
	var oldNorm []string
	for fuzz := 0; fuzz <= 2; fuzz++ {
		if fuzz > 0 && fuzz > lead && fuzz > trail {
			break
		}
		lo, hi = min(fuzz, lead), min(fuzz, trail)
		if lo+hi >= len(old) && len(old) > 0 {
			break
		}
		if at, ok := search(lines, old[lo:len(old)-hi], want+lo, from); ok {
			return at, lo, hi, fuzz > 0, true
		}
		// mail mangles white space: compare with it collapsed
		if *norm == nil {
			*norm = make([]string, len(lines))
			for i, l := range lines {
				(*norm)[i] = collapse(l)
			}
		}
		if oldNorm == nil {
			oldNorm = make([]string, len(old))
			for i, l := range old {
				oldNorm[i] = collapse(l)
			}
		}
		if at, ok := search(*norm, oldNorm[lo:len(old)-hi], want+lo, from); ok {
			return at, lo, hi, true, true
		}
	}
	return 0, 0, 0, false, false
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// search looks for part in lines at want, then want±1, want±2, ...
func search(lines, part []string, want, from int) (int, bool) {
	matches := func(at int) bool {
		if at < from || at+len(part) > len(lines) {
			return false
		}
		for i, p := range part {
			if lines[at+i] != p {
				return false
			}
		}
		return true
	}
	want = max(from, min(want, len(lines)))
	for d := 0; want-d >= from || want+d <= len(lines); d++ {
		if matches(want + d) {
			return want + d, true
		}
		if d > 0 && matches(want-d) {
			return want - d, true
		}
	}
	return 0, false
}

// memTree is a tree with the files a series changed so far laid over it.
type memTree struct {
	base  Tree
	files map[string][]byte
}

func (m *memTree) ReadFile(p string) ([]byte, error) {
	if d, ok := m.files[p]; ok {
		if d == nil {
			return nil, fs.ErrNotExist
		}
		return d, nil
	}
	if m.base == nil {
		return nil, fs.ErrNotExist
	}
	return m.base.ReadFile(p)
}

// LineAt is line n (1-based) of src, or "".
func LineAt(src []byte, n int) string {
	for i := 1; len(src) > 0; i++ {
		j := bytes.IndexByte(src, '\n')
		if j < 0 {
			j = len(src)
		}
		if i == n {
			return string(src[:j])
		}
		if j == len(src) {
			break
		}
		src = src[j+1:]
	}
	return ""
}
