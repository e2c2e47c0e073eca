package rules

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

//go:embed default.yaml
var defaultRules []byte

// DefaultSource names the embedded rules in messages.
const DefaultSource = "<embedded default.yaml>"

// rawLock and rawRule are a lock class and a rule as the file gives
// them, before their patterns are parsed; decodeTree fills them.
type rawLock struct {
	Doc                                  string
	Acquire, Try, TryZero, Release, Held []string
	AcquireNonNull                       []string
	Sleeps, Single, Spin                 bool
}

type rawRule struct {
	ID, Kind, Severity, Message, Source string
	When                                []string
	Explain, Bad, Good                  string
	Fields, Locks, Fresh, Publish       []string
	Calls, In, InstanceFrom             []string
	Order, First                        []string
	TakenHere                           bool
	Reads                               bool

	line int // where the rule starts, 0 if the format did not say
}

// namedLock is a lock class in file order, with the line of its name.
type namedLock struct {
	name string
	line int
	rawLock
}

type rawFile struct {
	Locks []namedLock
	Rules []rawRule
}

// Default returns the embedded default rules.
func Default() (*Set, error) {
	return Load()
}

// Load returns the embedded defaults with each file applied on top, in
// order: a rule with an existing id replaces it, a lock class with an
// existing name replaces it.
func Load(files ...string) (*Set, error) {
	s := &Set{Locks: map[string]*LockClass{}}
	if err := s.add(DefaultSource, defaultRules, "yaml"); err != nil {
		return nil, err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(f)), ".")
		switch ext {
		case "yml":
			ext = "yaml"
		case "yaml", "toml", "json":
		default:
			return nil, fmt.Errorf("%s: unknown rules format %q (use .yaml, .toml or .json)", f, ext)
		}
		if err := s.add(f, data, ext); err != nil {
			return nil, err
		}
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// LoadData is Load for a rules file already in memory (format "yaml",
// "toml" or "json"), named name in messages.
func LoadData(name string, data []byte, format string) (*Set, error) {
	s := &Set{Locks: map[string]*LockClass{}}
	if err := s.add(DefaultSource, defaultRules, "yaml"); err != nil {
		return nil, err
	}
	if err := s.add(name, data, format); err != nil {
		return nil, err
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// add reads one rules file into the set. The file is checked against
// the schema first: an unknown key or a value of the wrong type is an
// error at its line and column, not a setting silently dropped.
func (s *Set) add(name string, data []byte, format string) error {
	tree, err := buildTree(data, format)
	if err != nil {
		return syntaxError(name, data, err)
	}
	if errs := checkTree(name, tree); len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	raw := decodeTree(tree)
	s.Sources = append(s.Sources, name)
	var errs []string
	for _, rl := range raw.Locks {
		lname, line := rl.name, rl.line
		lc := &LockClass{Name: lname, Doc: rl.Doc, Sleeps: rl.Sleeps, Spin: rl.Spin, Single: rl.Single, File: name, Line: line}
		for _, f := range []struct {
			field string
			src   []string
			dst   *[]Pattern
		}{{"acquire", rl.Acquire, &lc.Acquire}, {"try", rl.Try, &lc.Try}, {"try-zero", rl.TryZero, &lc.TryZero}, {"acquire-nonnull", rl.AcquireNonNull, &lc.AcquireNonNull}, {"release", rl.Release, &lc.Release}, {"held", rl.Held, &lc.Held}} {
			for _, p := range f.src {
				pat, err := ParsePattern(p)
				if err != nil {
					errs = append(errs, fmt.Sprintf("%s:%d: lock %s: %s: %v", name, line, lname, f.field, err))
					continue
				}
				*f.dst = append(*f.dst, pat)
			}
		}
		if len(lc.Acquire)+len(lc.Try)+len(lc.TryZero)+len(lc.AcquireNonNull) == 0 || len(lc.Release) == 0 {
			errs = append(errs, fmt.Sprintf("%s:%d: lock %s: needs acquire (or try) and release patterns", name, line, lname))
		}
		s.Locks[lname] = lc
	}
	var fileRules []*Rule
	for _, rr := range raw.Rules {
		line := rr.line
		r := &Rule{
			ID: rr.ID, Kind: rr.Kind, Severity: Severity(rr.Severity), Message: rr.Message,
			Source: rr.Source, When: rr.When, Explain: rr.Explain, Bad: rr.Bad, Good: rr.Good,
			Fields: rr.Fields, Locks: rr.Locks, In: rr.In, Order: rr.Order, TakenHere: rr.TakenHere, Reads: rr.Reads, File: name, Line: line,
		}
		if r.Severity == "" {
			r.Severity = Error
		}
		for _, f := range []struct {
			field string
			src   []string
			dst   *[]Pattern
		}{{"fresh", rr.Fresh, &r.Fresh}, {"publish", rr.Publish, &r.Publish}, {"calls", rr.Calls, &r.Calls},
			{"instance-from", rr.InstanceFrom, &r.InstanceFrom}, {"first", rr.First, &r.First}} {
			for _, p := range f.src {
				pat, err := ParsePattern(p)
				if err != nil {
					errs = append(errs, fmt.Sprintf("%s:%d: rule %s: %s: %v", name, line, rr.ID, f.field, err))
					continue
				}
				*f.dst = append(*f.dst, pat)
			}
		}
		fileRules = append(fileRules, r)
	}
	s.put(name, fileRules)
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return nil
}

// put adds a file's rules: an id the file defines replaces every entry
// (every era) that earlier files gave that id.
func (s *Set) put(file string, rules []*Rule) {
	replaced := map[string]bool{}
	for _, r := range rules {
		replaced[r.ID] = true
	}
	kept := s.Rules[:0]
	for _, old := range s.Rules {
		if !replaced[old.ID] || old.File == file {
			kept = append(kept, old)
		}
	}
	s.Rules = append(kept, rules...)
}
