package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// BaselineVersion is the version Write writes and ReadBaseline accepts.
const BaselineVersion = 1

// Baseline is the set of findings a tree already had when locklint was
// adopted (--write-baseline); --baseline drops them from later runs so
// only new findings are reported. Entries are keyed by rule, file,
// function and the finding's source line with its whitespace collapsed,
// not by line number, so they survive code moving up or down.
type Baseline struct {
	Version int             `json:"version"`
	Entries []BaselineEntry `json:"entries"`
}

// BaselineEntry is Count identical findings.
type BaselineEntry struct {
	Rule     string `json:"rule"`
	File     string `json:"file"`
	Function string `json:"function,omitempty"`
	// Text is the finding's source line, whitespace collapsed; empty when
	// it was not known.
	Text string `json:"text,omitempty"`
	// Message is one of the findings' messages, for the reader; it is not
	// part of the key.
	Message string `json:"message,omitempty"`
	Count   int    `json:"count"`
}

type baselineKey struct {
	rule, file, function, text string
}

func (e *BaselineEntry) key() baselineKey {
	return baselineKey{e.Rule, filepath.ToSlash(e.File), e.Function, normalizeLine(e.Text)}
}

func findingKey(f *Finding, line func(string, int) string, path func(string) string) baselineKey {
	text := ""
	if line != nil && f.Line > 0 {
		text = normalizeLine(line(f.File, f.Line))
	}
	file := f.File
	if path != nil {
		file = path(file)
	}
	return baselineKey{f.Rule, filepath.ToSlash(file), f.Function, text}
}

// normalizeLine collapses each run of white space to one space and trims
// both ends.
func normalizeLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// NewBaseline records fs. line returns the source text of a file's line
// (1-based), or "" when unknown; it may be nil. path, when not nil, maps
// a finding's file to the name recorded: relative to the repository, so
// that a baseline does not depend on the directory locklint runs in.
func NewBaseline(fs []Finding, line func(file string, line int) string, path func(string) string) *Baseline {
	idx := make(map[baselineKey]int)
	b := &Baseline{Version: BaselineVersion, Entries: []BaselineEntry{}}
	for i := range fs {
		f := &fs[i]
		k := findingKey(f, line, path)
		if j, ok := idx[k]; ok {
			e := &b.Entries[j]
			e.Count++
			if f.Message < e.Message {
				e.Message = f.Message // the same message whatever the input order
			}
			continue
		}
		idx[k] = len(b.Entries)
		b.Entries = append(b.Entries, BaselineEntry{
			Rule: k.rule, File: k.file, Function: k.function, Text: k.text,
			Message: f.Message, Count: 1,
		})
	}
	b.sort()
	return b
}

func (b *Baseline) sort() {
	sort.SliceStable(b.Entries, func(i, j int) bool {
		x, y := &b.Entries[i], &b.Entries[j]
		switch {
		case x.File != y.File:
			return x.File < y.File
		case x.Function != y.Function:
			return x.Function < y.Function
		case x.Rule != y.Rule:
			return x.Rule < y.Rule
		case x.Text != y.Text:
			return x.Text < y.Text
		default:
			return x.Message < y.Message
		}
	})
}

// ReadBaseline reads a baseline written by Write. Errors name the file,
// and for malformed JSON the line and column.
func ReadBaseline(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err) // *PathError names the file
	}
	var b Baseline
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			l, c := jsonErrorPos(data, se.Offset)
			return nil, fmt.Errorf("%s:%d:%d: baseline is not valid JSON: %v", path, l, c, err)
		case errors.As(err, &te):
			l, c := jsonErrorPos(data, te.Offset)
			return nil, fmt.Errorf("%s:%d:%d: baseline: %v", path, l, c, err)
		case errors.Is(err, io.EOF):
			return nil, fmt.Errorf("%s: baseline is empty", path)
		default:
			return nil, fmt.Errorf("%s: baseline: %v", path, err)
		}
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: baseline: data after the JSON object", path)
	}
	if b.Version != BaselineVersion {
		return nil, fmt.Errorf("%s: baseline version %d is not supported (want %d)", path, b.Version, BaselineVersion)
	}
	for i := range b.Entries {
		e := &b.Entries[i]
		if e.Rule == "" || e.File == "" {
			return nil, fmt.Errorf("%s: baseline entry %d has no rule or file", path, i+1)
		}
		if e.Count < 0 {
			return nil, fmt.Errorf("%s: baseline entry %d has a negative count", path, i+1)
		}
		if e.Count == 0 { // hand-written entries may leave it out
			e.Count = 1
		}
	}
	return &b, nil
}

// jsonErrorPos turns a byte offset into a 1-based line and column.
func jsonErrorPos(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	l := bytes.Count(before, []byte{'\n'}) + 1
	c := int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	if c < 1 {
		c = 1
	}
	return l, c
}

// Write writes b as indented JSON, entries sorted, with a final newline
// and without HTML escaping.
// The file is replaced atomically.
func (b *Baseline) Write(path string) error {
	out := Baseline{Version: BaselineVersion, Entries: append([]BaselineEntry{}, b.Entries...)}
	out.sort()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf) // source text keeps its & and <, unescaped
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&out); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	data := buf.Bytes()
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".locklint-baseline-*")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Filter drops the findings of fs the baseline holds, each entry at most
// Count times (in the order of fs), and keeps the rest in order. matched is
// the number dropped. line and path are as for NewBaseline and must
// answer for the tree being checked now.
func (b *Baseline) Filter(fs []Finding, line func(string, int) string, path func(string) string) (kept []Finding, matched int) {
	left := make(map[baselineKey]int, len(b.Entries))
	for i := range b.Entries {
		n := b.Entries[i].Count
		if n == 0 {
			n = 1
		}
		left[b.Entries[i].key()] += n
	}
	kept = make([]Finding, 0, len(fs))
	for i := range fs {
		k := findingKey(&fs[i], line, path)
		if left[k] > 0 {
			left[k]--
			matched++
			continue
		}
		kept = append(kept, fs[i])
	}
	return kept, matched
}

// SourceLines returns a line getter for NewBaseline and Filter that reads
// files from disk (relative names against root; "" for the working
// directory) and caches them. It is safe for concurrent use and returns ""
// for a file it cannot read or a line it does not have.
func SourceLines(root string) func(file string, line int) string {
	var mu sync.Mutex
	cache := make(map[string][]string)
	return func(file string, line int) string {
		if line < 1 || file == "" || file == "-" {
			return ""
		}
		mu.Lock()
		lines, ok := cache[file]
		if !ok {
			p := file
			if root != "" && !filepath.IsAbs(p) {
				p = filepath.Join(root, p)
			}
			if data, err := os.ReadFile(p); err == nil {
				lines = strings.Split(string(data), "\n")
			}
			cache[file] = lines
		}
		mu.Unlock()
		if line > len(lines) {
			return ""
		}
		return lines[line-1]
	}
}
