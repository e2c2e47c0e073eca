package report

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/locklint/locklint/check"
	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

// TestExplainSuppressionFindings: the two findings suppressions produce
// can be explained like rules, with examples.
func TestExplainSuppressionFindings(t *testing.T) {
	for _, id := range []string{RuleBadSuppression, RuleUnusedSuppression} {
		text, ok := Explain(nil, id)
		if !ok || !strings.HasPrefix(text, id+" (suppression, ") || !strings.Contains(text, "\nBad:\n") || !strings.Contains(text, "\nGood:\n") {
			t.Errorf("explain %s: %v\n%s", id, ok, text)
		}
	}
	if _, ok := Explain(nil, "no-such-rule"); ok {
		t.Error("explain found a rule that does not exist")
	}
}

// TestSuppressionExamples runs each suppression example through the
// checker and ApplySuppressions, as `locklint check` does: the bad one
// must produce its finding, the good one none at all (its suppression
// silences a real finding, or there is nothing left to silence).
func TestSuppressionExamples(t *testing.T) {
	set, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	run := func(example string) (kept, problems []Finding) {
		src := "void example(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long end)\n{\n"
		for _, l := range strings.Split(strings.TrimRight(example, "\n"), "\n") {
			if strings.TrimSpace(l) == "..." {
				l = "/* ... */"
			}
			src += "\t" + l + "\n"
		}
		src += "}\n"
		f, err := parse.ParseFile(context.Background(), "ex.c", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		var fs []Finding
		for _, fd := range check.Run(set, []*parse.File{f}) {
			fs = append(fs, Finding{Rule: fd.Rule, Severity: fd.Severity, Message: fd.Message, File: fd.File, Line: fd.Line})
		}
		return ApplySuppressions(fs, ScanSuppressions("ex.c", []byte(src)))
	}
	for _, r := range suppressionRules {
		_, problems := run(r.Bad)
		var got []string
		found := false
		for _, p := range problems {
			got = append(got, p.Rule+": "+p.Message)
			found = found || p.Rule == r.ID
		}
		if !found {
			t.Errorf("%s: the bad example does not produce it; got %v", r.ID, got)
		}
		kept, problems := run(r.Good)
		if len(kept)+len(problems) > 0 {
			t.Errorf("%s: the good example is reported: %v %v", r.ID, kept, problems)
		}
	}
}

// TestBadSuppressionExampleSuppressesWhenFixed: the good example of
// bad-suppression has something to suppress; without its comment the
// finding is there. Otherwise "nothing reported" would prove nothing.
func TestBadSuppressionExampleSuppressesWhenFixed(t *testing.T) {
	set, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	var good string
	for _, r := range suppressionRules {
		if r.ID == RuleBadSuppression {
			good = r.Good
		}
	}
	var body []string
	for _, l := range strings.Split(good, "\n") {
		if !strings.Contains(l, "locklint:") {
			body = append(body, "\t"+l)
		}
	}
	src := "void example(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long end)\n{\n" + strings.Join(body, "\n") + "\n}\n"
	f, err := parse.ParseFile(context.Background(), "ex.c", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(check.Run(set, []*parse.File{f})) == 0 {
		t.Errorf("without its suppression the good example has no finding; it suppresses nothing:\n%s", src)
	}
}

// TestExplainTextIsClean: what explain prints for every rule is text a
// terminal, a CI log and SARIF take as it is: UTF-8, no control
// characters but newline and tab, no trailing white space, no line that
// could be a GitHub workflow command; and a rule's examples survive as
// SARIF help (JSON-encoded and back, unchanged).
func TestExplainTextIsClean(t *testing.T) {
	set, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	ids := append(RuleIDs(set), RuleBadSuppression, RuleUnusedSuppression)
	for _, id := range ids {
		text, ok := Explain(set, id)
		if !ok {
			t.Errorf("%s: no explanation", id)
			continue
		}
		checkClean(t, id, text, false)
		entries := ruleEntries(set, id)
		if len(entries) == 0 {
			continue
		}
		md := helpMarkdown(entries)
		checkClean(t, id+" markdown", md, true)
		if strings.Count(md, "```c\n") != strings.Count(md, "\n```\n") {
			t.Errorf("%s: unbalanced code fences in the markdown help", id)
		}
		b, err := json.Marshal(sarifMessage{Text: text, Markdown: md})
		if err != nil {
			t.Fatal(err)
		}
		var back sarifMessage
		if err := json.Unmarshal(b, &back); err != nil || back.Text != text || back.Markdown != md {
			t.Errorf("%s: help does not survive JSON: %v", id, err)
		}
	}
}

// checkClean fails on text explain must not print. A line starting
// with "::" matters only in what goes to a terminal or CI log, not in
// Markdown, which travels inside SARIF's JSON.
func checkClean(t *testing.T, id, text string, markdown bool) {
	t.Helper()
	if !utf8.ValidString(text) {
		t.Errorf("%s: not UTF-8", id)
	}
	for i, line := range strings.Split(text, "\n") {
		if strings.TrimRight(line, " \t") != line {
			t.Errorf("%s: line %d has trailing white space: %q", id, i+1, line)
		}
		if !markdown && strings.HasPrefix(line, "::") {
			t.Errorf("%s: line %d starts with '::': %q", id, i+1, line)
		}
		for _, c := range line {
			if c < 0x20 && c != '\t' || c == 0x7f || c >= 0x80 && c < 0xa0 || isBidiControl(c) {
				t.Errorf("%s: line %d has control character %U", id, i+1, c)
			}
		}
	}
}

// TestExplainOfHostileRules: a rules file is not trusted (a pull request
// can bring one); its control characters, bidi overrides and backticks
// must come out visible and inert, in text and in Markdown.
func TestExplainOfHostileRules(t *testing.T) {
	data := "rules:\n  - id: evil\n    kind: forbid-call\n    message: \"m\\e]0;owned\\a\"\n    calls: [\"f()\"]\n" +
		"    explain: \"line one\\r\\n::error file=x::injected\\n\\u202eright to left\"\n" +
		"    bad: \"f();\\n````\\nnot code\\n```\"\n" +
		"    good: \"g();   \\n\\n\\th();\\x1b[2J\"\n"
	set, err := rules.LoadData("evil.yaml", []byte(data), "yaml")
	if err != nil {
		t.Fatal(err)
	}
	text, ok := Explain(set, "evil")
	if !ok {
		t.Fatal("no explanation")
	}
	checkClean(t, "evil", text, false)
	for _, want := range []string{`m\x1b]0;owned\x07`, "    ::error file=x::injected", `\u202eright to left`, `h();\x1b[2J`, "    g();\n\n    \th();"} {
		if !strings.Contains(text, want) {
			t.Errorf("explain lacks %q:\n%s", want, text)
		}
	}
	md := helpMarkdown(ruleEntries(set, "evil"))
	checkClean(t, "evil markdown", md, true)
	// The bad example holds ```` and ```: its fence must be longer, so
	// the block ends only where it should.
	if !strings.Contains(md, "`````c\nf();\n````\nnot code\n```\n`````\n") {
		t.Errorf("markdown fence:\n%s", md)
	}
}

// TestExplainTakenHere: a requires rule whose lock must be taken in the
// calling function says so, in text and in Markdown; others do not.
func TestExplainTakenHere(t *testing.T) {
	set, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	const say = "taken in the calling function itself"
	for id, want := range map[string]bool{"cgroup-threadgroup-cpus-lock": true, "swapin-pte-same-page-lock": false} {
		text, ok := Explain(set, id)
		if !ok {
			t.Fatalf("%s: no explanation", id)
		}
		md := helpMarkdown(ruleEntries(set, id))
		if strings.Contains(text, say) != want || strings.Contains(md, say) != want {
			t.Errorf("%s: says %q in text %v, in markdown %v; want %v", id, say, strings.Contains(text, say), strings.Contains(md, say), want)
		}
	}
}
