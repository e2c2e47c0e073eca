package diffscan

import (
	"strings"
	"testing"
)

func hunkOf(oldStart, newStart int, lines ...string) *Hunk {
	h := &Hunk{OldStart: oldStart, NewStart: newStart}
	for _, l := range lines {
		h.Lines = append(h.Lines, Line{Op: l[0], Text: l[1:]})
		if l[0] != '+' {
			h.OldLines++
		}
		if l[0] != '-' {
			h.NewLines++
		}
	}
	return h
}

func numbered(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		b.WriteString("\tline" + itoa(i) + ";\n")
	}
	return b.String()
}

func TestApply(t *testing.T) {
	src := numbered(30)
	for _, c := range []struct {
		name  string
		h     *Hunk
		want  string // the lines 9..13 of the result, joined by |
		off   int
		fuzz  int
		loose bool
	}{
		{"in place", hunkOf(10, 10, " \tline10;", "-\tline11;", "+\tnew;", " \tline12;"), "\tline09;|\tline10;|\tnew;|\tline12;|\tline13;", 0, 0, false},
		{"offset", hunkOf(4, 4, " \tline10;", "-\tline11;", "+\tnew;", " \tline12;"), "\tline09;|\tline10;|\tnew;|\tline12;|\tline13;", 6, 0, false},
		{"mangled whitespace", hunkOf(10, 10, " line10;", "-line11;", "+new;", " line12;"), "\tline09;|\tline10;|new;|\tline12;|\tline13;", 0, 0, true},
		{"fuzz", hunkOf(10, 10, " \tchanged;", "-\tline11;", "+\tnew;", " \tline12;"), "\tline09;|\tline10;|\tnew;|\tline12;|\tline13;", 0, 1, true},
	} {
		out, how := Apply([]byte(src), &FileDiff{Hunks: []*Hunk{c.h}})
		lines := strings.Split(string(out), "\n")
		if got := strings.Join(lines[8:13], "|"); got != c.want {
			t.Errorf("%s: got %s", c.name, got)
		}
		if !how[0].ok || how[0].offset != c.off || how[0].fuzz != c.fuzz || how[0].loose != c.loose {
			t.Errorf("%s: applied %+v", c.name, how[0])
		}
		if !strings.HasSuffix(string(out), ";\n") {
			t.Errorf("%s: final newline lost", c.name)
		}
	}
	_, how := Apply([]byte(src), &FileDiff{Hunks: []*Hunk{hunkOf(10, 10, " nothing", "-like", " this")}})
	if how[0].ok {
		t.Error("a hunk that matches nothing applied")
	}
	// a new file
	out, how := Apply(nil, &FileDiff{Hunks: []*Hunk{hunkOf(0, 1, "+a", "+b")}})
	if string(out) != "a\nb\n" || !how[0].ok {
		t.Errorf("new file: %q %+v", out, how)
	}
}
