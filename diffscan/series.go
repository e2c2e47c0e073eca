package diffscan

import (
	"fmt"
	"hash/fnv"
	"strings"
)

// Options control how patches are recovered from mail.
type Options struct {
	// NoQuoted skips patches that are only quoted in replies.
	NoQuoted bool
}

// Series is what one input holds: its patches in series order and what
// went wrong reading them.
type Series struct {
	Source   string
	Messages int
	Patches  []*Patch
	Diags    []Diag
	// Hunks counts the hunk headers found; Unrecovered those that could
	// not be read (each has an error Diag); Duplicates the hunks dropped
	// because an earlier message of the input had the same one.
	Hunks, Unrecovered, Duplicates int
}

// Read splits data (an mbox, a message, a bare diff, a saved archive
// page) into messages and recovers the patches in them.
func Read(source string, data []byte, o Options) *Series {
	msgs, diags := ReadMessages(source, data)
	return FromMessages(source, msgs, diags, o)
}

// FromMessages recovers the patches in msgs, in series order.
func FromMessages(source string, msgs []*Message, diags []Diag, o Options) *Series {
	s := &Series{Source: source, Messages: len(msgs), Diags: diags}
	SortSeries(msgs)
	seen := map[uint64]bool{}
	for _, m := range msgs {
		p := s.recover(m, len(msgs), o)
		if p == nil {
			continue
		}
		// the same hunk in several messages (a reply quoting a patch of
		// the series) is analyzed once, where it first appears
		files := p.Files[:0]
		for _, f := range p.Files {
			hunks := f.Hunks[:0]
			for _, h := range f.Hunks {
				k := hunkKey(f, h)
				if seen[k] {
					s.Duplicates++
					continue
				}
				seen[k] = true
				hunks = append(hunks, h)
			}
			if f.Hunks = hunks; len(hunks) > 0 {
				files = append(files, f)
			}
		}
		if p.Files = files; len(files) > 0 {
			s.Patches = append(s.Patches, p)
		}
	}
	return s
}

func hunkKey(f *FileDiff, h *Hunk) uint64 {
	w := fnv.New64a()
	fmt.Fprintf(w, "%s\x00%d\x00%d\x00", f.Name(), h.OldStart, h.NewStart)
	for _, l := range h.Lines {
		w.Write([]byte{l.Op})
		w.Write([]byte(collapse(l.Text)))
		w.Write([]byte{0})
	}
	return w.Sum64()
}

// label names a message in diagnostics.
func label(m *Message, n int) string {
	if m.Subject != "" {
		return m.Subject
	}
	if n > 1 {
		return fmt.Sprintf("message %d", m.Index+1)
	}
	return ""
}

// recover reads the diff in one message: its own, or else the one it
// quotes.
func (s *Series) recover(m *Message, n int, o Options) *Patch {
	body := strings.Split(strings.TrimSuffix(m.Body, "\n"), "\n")
	lines := make([]srcLine, len(body))
	first := m.BodyLine
	if first == 0 {
		first = 1
	}
	for i, t := range body {
		lines[i] = srcLine{t, first + i}
	}
	quoted := false
	if !hasHunk(lines) {
		q := quotedLines(lines)
		for depth := 0; depth < 3 && !hasHunk(q) && len(q) > 0; depth++ {
			q = quotedLines(q)
		}
		if !hasHunk(q) {
			return nil
		}
		if o.NoQuoted {
			s.Diags = append(s.Diags, Diag{Input: s.Source, Line: m.Line, Message: label(m, n),
				Text: "a patch quoted in this reply is skipped (--no-quoted)"})
			return nil
		}
		lines, quoted = q, true
	}
	x := &extractor{source: s.Source, msg: label(m, n), lines: lines}
	x.run()
	s.Hunks += x.hunks
	s.Unrecovered += x.unrecovered
	p := &Patch{Msg: m, Subject: ParseSubject(m.Subject), Quoted: quoted}
	for _, f := range x.files {
		if err := viaGoDiff(f); err != nil {
			x.unrecovered += len(f.Hunks)
			s.Unrecovered += len(f.Hunks)
			x.diag(f.Line, f.Name(), "", true, "go-diff cannot read the repaired diff (%v): its %d hunks are not analyzed", err, len(f.Hunks))
			continue
		}
		p.Files = append(p.Files, f)
	}
	if r := x.rep.String(); r != "" {
		x.diag(m.BodyLine, "", "", false, "repaired: %s", r)
	}
	s.Diags = append(s.Diags, x.diags...)
	return p
}

// HunkCount is the number of hunks of the patches.
func (s *Series) HunkCount() int {
	n := 0
	for _, p := range s.Patches {
		for _, f := range p.Files {
			n += len(f.Hunks)
		}
	}
	return n
}
