package rules_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/locklint/locklint/check"
	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

// knownMisses are documented bad examples the checker does not report
// today, keyed "rule-id/era". The test asserts the miss, so it fails
// once the checker catches the example: then delete the entry.
var knownMisses = map[string]string{}

// exampleEntries is every rule entry `locklint explain` can show: each
// era of the default rules, and the built-ins.
func exampleEntries(t *testing.T) (*rules.Set, []*rules.Rule) {
	set, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	entries := append([]*rules.Rule{}, set.Rules...)
	for _, b := range rules.Builtins {
		if set.Rule(b.ID) == nil {
			entries = append(entries, b)
		}
	}
	return set, entries
}

// eraName tells a rule's entries apart in test names and knownMisses.
func eraName(set []*rules.Rule, r *rules.Rule) string {
	n := 0
	for _, o := range set {
		if o == r {
			break
		}
		if o.ID == r.ID {
			n++
		}
	}
	return fmt.Sprintf("%s/%d", r.ID, n)
}

// TestEveryRuleHasExamples: `locklint explain` shows a bad and a good
// example for every rule, every era of it.
func TestEveryRuleHasExamples(t *testing.T) {
	_, entries := exampleEntries(t)
	if len(entries) < 20 {
		t.Fatalf("%d rule entries; the default rules and built-ins are more", len(entries))
	}
	for _, r := range entries {
		if strings.TrimSpace(r.Bad) == "" || strings.TrimSpace(r.Good) == "" {
			t.Errorf("%s (%s): bad %q, good %q", eraName(entries, r), r.File, r.Bad, r.Good)
		}
		if strings.TrimSpace(r.Bad) != "" && strings.TrimSpace(r.Bad) == strings.TrimSpace(r.Good) {
			t.Errorf("%s: the bad and the good example are the same", eraName(entries, r))
		}
	}
}

// funcDef spots an example that is whole function definitions already:
// a line ending in ')' followed by a line that is just '{'.
var funcDef = regexp.MustCompile(`(?m)\)\s*\n\{\s*$`)

// exampleSource makes an example a C file and says on which lines the
// example itself is. A fragment becomes the body of a function named
// after the rule's first `in` function (rules restricted to a function
// only apply there), with a line that is only "..." (code left out)
// made a comment. A rule gated by `when` applies only to input that
// calls one of those identifiers; a fragment need not, so a separate
// function calls the first one.
func exampleSource(r *rules.Rule, example string) (src string, first, last int) {
	var sb strings.Builder
	line := 1
	emit := func(s string) {
		sb.WriteString(s + "\n")
		line++
	}
	body := strings.TrimRight(example, "\n")
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == "..." {
			lines[i] = strings.Replace(l, "...", "/* ... */", 1)
		}
	}
	if funcDef.MatchString(body) {
		first = line
		for _, l := range lines {
			emit(l)
		}
		last = line - 1
	} else {
		name := "example"
		if len(r.In) > 0 {
			name = r.In[0]
		}
		emit("void " + name + "(void)")
		emit("{")
		first = line
		for _, l := range lines {
			emit("\t" + l)
		}
		last = line - 1
		emit("}")
	}
	if len(r.When) > 0 && !regexp.MustCompile(`\b(`+strings.Join(r.When, "|")+`)\(`).MatchString(example) {
		emit("")
		emit("void era_of_the_example(struct mm_struct *mm)")
		emit("{")
		emit("\t" + r.When[0] + "(mm);")
		emit("}")
	}
	return sb.String(), first, last
}

// TestExamplesAreChecked runs the real checker, with the default rules,
// on every rule's examples: the bad one must be reported under that
// rule's id, on one of its own lines, and nothing may be reported on the
// good one's lines.
func TestExamplesAreChecked(t *testing.T) {
	set, entries := exampleEntries(t)
	for _, r := range entries {
		r := r
		name := eraName(entries, r)
		t.Run(name, func(t *testing.T) {
			for _, ex := range []struct {
				which, text string
			}{{"bad", r.Bad}, {"good", r.Good}} {
				if strings.TrimSpace(ex.text) == "" {
					continue // TestEveryRuleHasExamples reports it
				}
				src, first, last := exampleSource(r, ex.text)
				f, err := parse.ParseFile(context.Background(), name+"-"+ex.which+".c", []byte(src))
				if err != nil {
					t.Fatalf("%s: %v", ex.which, err)
				}
				for _, fn := range f.Functions {
					if len(fn.ParseErrors) > 0 {
						t.Errorf("%s example does not parse cleanly (%s at %v):\n%s", ex.which, fn.Name, fn.ParseErrors, src)
					}
				}
				var hits, all, inside []string
				for _, fd := range check.Run(set, []*parse.File{f}) {
					all = append(all, fd.String())
					if fd.Line >= first && fd.Line <= last {
						inside = append(inside, fd.String())
					}
					if fd.Rule == r.ID {
						hits = append(hits, fd.String())
						if fd.Line < first || fd.Line > last {
							t.Errorf("%s example: %s is outside the example (lines %d-%d)", ex.which, fd, first, last)
						}
					}
				}
				miss, known := knownMisses[name]
				switch {
				case ex.which == "good" && len(inside) > 0:
					// A good example is code to copy: no rule may object
					// to it, not only the one it illustrates.
					t.Errorf("good example reported:\n%s\n%s", strings.Join(inside, "\n"), src)
				case ex.which == "bad" && known && len(hits) > 0:
					t.Errorf("the checker now reports the bad example (%s): delete %s from knownMisses\n%s", miss, name, strings.Join(hits, "\n"))
				case ex.which == "bad" && !known && len(hits) == 0:
					t.Errorf("bad example not reported as %s; findings:\n%s\n%s", r.ID, strings.Join(all, "\n"), src)
				}
			}
		})
	}
}
