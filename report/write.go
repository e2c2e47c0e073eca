package report

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/locklint/locklint/rules"
	"golang.org/x/term"
)

// Options say how Write renders a Result.
type Options struct {
	// Format is one of Formats(); "" means "text".
	Format string
	// Color turns on ANSI colours in the text format. The caller decides
	// (see ColorWanted); no other format is coloured.
	Color bool
	// Rules is the rule set in effect: the sarif format describes every
	// rule of it. Nil means rules.Default().
	Rules *rules.Set
	// Version is the tool's version, for sarif ("dev" when empty).
	Version string
	// ShowFixed also shows the findings a series fixes (Status "fixed")
	// in the text and sarif formats. json always has them; github and
	// checkstyle never do.
	ShowFixed bool
}

var writers = map[string]func(io.Writer, *Result, Options) error{
	"text":       writeText,
	"json":       writeJSON,
	"sarif":      writeSARIF,
	"github":     writeGitHub,
	"checkstyle": writeCheckstyle,
}

// Formats lists the output formats Write knows, the default first.
func Formats() []string {
	return []string{"text", "json", "sarif", "github", "checkstyle"}
}

// Write renders r to w in o.Format.
func Write(w io.Writer, r *Result, o Options) error {
	format := o.Format
	if format == "" {
		format = "text"
	}
	fn, ok := writers[format]
	if !ok {
		return fmt.Errorf("unknown output format %q (one of %s)", o.Format, strings.Join(Formats(), ", "))
	}
	if r == nil {
		r = &Result{}
	}
	return fn(w, r, o)
}

// ColorWanted tells whether coloured text output suits f: f is a
// terminal, NO_COLOR is unset or empty, and TERM is not "dumb".
func ColorWanted(f *os.File) bool {
	if f == nil || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

// Status values of a Finding.
const (
	StatusIntroduced  = "introduced"
	StatusFixed       = "fixed"
	StatusPreexisting = "preexisting"
	StatusUnknown     = "unknown"
)

// status is f's status, "unknown" when unset.
func status(f *Finding) string {
	if f.Status == "" {
		return StatusUnknown
	}
	return f.Status
}

// fixed tells whether a finding is one the series fixes.
func fixed(f *Finding) bool { return f.Status == StatusFixed }

// plural renders "1 error", "2 errors"; "1 patch", "2 patches".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "ch") || strings.HasSuffix(word, "s") {
		return strconv.Itoa(n) + " " + word + "es"
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// ruleSet is o.Rules, or the defaults.
func ruleSet(o Options) (*rules.Set, error) {
	if o.Rules != nil {
		return o.Rules, nil
	}
	return rules.Default()
}

// RuleIDs lists the ids of the set's rules and the built-ins, sorted.
func RuleIDs(set *rules.Set) []string {
	seen := map[string]bool{}
	var ids []string
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if set != nil {
		for _, r := range set.Rules {
			add(r.ID)
		}
	}
	for _, b := range rules.Builtins {
		add(b.ID)
	}
	sort.Strings(ids)
	return ids
}

// diag is an input diagnostic taken apart: "path:line: warning: text".
type diag struct {
	File  string
	Line  int
	Error bool
	Text  string
}

// parseDiag takes an input diagnostic apart. One not in the usual shape
// is a warning about the input itself, its whole text the message.
func parseDiag(in Input, s string) diag {
	for _, kind := range []string{"error", "warning"} {
		i := strings.Index(s, ": "+kind+":")
		if i < 0 {
			continue
		}
		d := diag{File: s[:i], Error: kind == "error", Text: strings.TrimSpace(s[i+len(kind)+3:])}
		if j := strings.LastIndexByte(d.File, ':'); j >= 0 {
			if n, err := strconv.Atoi(d.File[j+1:]); err == nil && n > 0 {
				d.File, d.Line = d.File[:j], n
			}
		}
		if d.File == "" {
			d.File = in.Path
		}
		return d
	}
	return diag{File: in.Path, Text: s}
}

// inputTotals sums the inputs' patch and hunk counts.
func inputTotals(r *Result) (patches, hunks, unrecovered int) {
	for _, in := range r.Inputs {
		patches += in.Patches
		hunks += in.Hunks
		unrecovered += in.HunksUnrecovered
	}
	return
}
