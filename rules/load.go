package rules

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

//go:embed default.yaml
var defaultRules []byte

// DefaultSource names the embedded rules in messages.
const DefaultSource = "<embedded default.yaml>"

type rawLock struct {
	Doc     string   `mapstructure:"doc"`
	Acquire []string `mapstructure:"acquire"`
	Try     []string `mapstructure:"try"`
	TryZero []string `mapstructure:"try-zero"`
	Release []string `mapstructure:"release"`
	Held    []string `mapstructure:"held"`
	Sleeps  bool     `mapstructure:"sleeps"`
	Single  bool     `mapstructure:"single"`
	Spin    bool     `mapstructure:"spin"`
}

type rawRule struct {
	ID           string   `mapstructure:"id"`
	Kind         string   `mapstructure:"kind"`
	Severity     string   `mapstructure:"severity"`
	Message      string   `mapstructure:"message"`
	Source       string   `mapstructure:"source"`
	When         []string `mapstructure:"when"`
	Explain      string   `mapstructure:"explain"`
	Bad          string   `mapstructure:"bad"`
	Good         string   `mapstructure:"good"`
	Fields       []string `mapstructure:"fields"`
	Locks        []string `mapstructure:"locks"`
	Fresh        []string `mapstructure:"fresh"`
	Publish      []string `mapstructure:"publish"`
	Calls        []string `mapstructure:"calls"`
	In           []string `mapstructure:"in"`
	InstanceFrom []string `mapstructure:"instance-from"`
	Order        []string `mapstructure:"order"`
	First        []string `mapstructure:"first"`
}

type rawFile struct {
	Version int                `mapstructure:"version"`
	Locks   map[string]rawLock `mapstructure:"locks"`
	Rules   []rawRule          `mapstructure:"rules"`
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

// add reads one rules file into the set.
func (s *Set) add(name string, data []byte, format string) error {
	v := viper.New()
	v.SetConfigType(format)
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	var raw rawFile
	if err := v.Unmarshal(&raw); err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	lines := lineFinder(data, format)
	s.Sources = append(s.Sources, name)
	var errs []string
	for lname, rl := range raw.Locks {
		line := lines.lock(lname)
		lc := &LockClass{Name: lname, Doc: rl.Doc, Sleeps: rl.Sleeps, Spin: rl.Spin, Single: rl.Single, File: name, Line: line}
		for _, f := range []struct {
			field string
			src   []string
			dst   *[]Pattern
		}{{"acquire", rl.Acquire, &lc.Acquire}, {"try", rl.Try, &lc.Try}, {"try-zero", rl.TryZero, &lc.TryZero}, {"release", rl.Release, &lc.Release}, {"held", rl.Held, &lc.Held}} {
			for _, p := range f.src {
				pat, err := ParsePattern(p)
				if err != nil {
					errs = append(errs, fmt.Sprintf("%s:%d: lock %s: %s: %v", name, line, lname, f.field, err))
					continue
				}
				*f.dst = append(*f.dst, pat)
			}
		}
		if len(lc.Acquire)+len(lc.Try)+len(lc.TryZero) == 0 || len(lc.Release) == 0 {
			errs = append(errs, fmt.Sprintf("%s:%d: lock %s: needs acquire (or try) and release patterns", name, line, lname))
		}
		s.Locks[lname] = lc
	}
	var fileRules []*Rule
	for i, rr := range raw.Rules {
		line := lines.rule(i, rr.ID)
		r := &Rule{
			ID: rr.ID, Kind: rr.Kind, Severity: Severity(rr.Severity), Message: rr.Message,
			Source: rr.Source, When: rr.When, Explain: rr.Explain, Bad: rr.Bad, Good: rr.Good,
			Fields: rr.Fields, Locks: rr.Locks, In: rr.In, Order: rr.Order, File: name, Line: line,
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

// lines maps rules and locks to the line that declares them.
type lines struct {
	rules []int
	locks map[string]int
	text  []byte
}

func lineFinder(data []byte, format string) lines {
	l := lines{locks: map[string]int{}, text: data}
	if format != "yaml" {
		return l
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return l
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		switch key.Value {
		case "rules":
			for _, r := range val.Content {
				l.rules = append(l.rules, r.Line)
			}
		case "locks":
			for j := 0; j+1 < len(val.Content); j += 2 {
				l.locks[val.Content[j].Value] = val.Content[j].Line
			}
		}
	}
	return l
}

func (l lines) rule(i int, id string) int {
	if i < len(l.rules) {
		return l.rules[i]
	}
	return l.search(id)
}

func (l lines) lock(name string) int {
	if n, ok := l.locks[name]; ok {
		return n
	}
	return l.search(name)
}

// search finds the first line that mentions s as a quoted or bare word:
// the best TOML and JSON allow without a positional parser.
func (l lines) search(s string) int {
	if s == "" {
		return 0
	}
	for i, line := range bytes.Split(l.text, []byte("\n")) {
		if bytes.Contains(line, []byte(`"`+s+`"`)) || bytes.Contains(line, []byte("["+s+"]")) || bytes.Contains(line, []byte("."+s+"]")) {
			return i + 1
		}
	}
	return 0
}
