package report

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/locklint/locklint/rules"
)

// Rule ids of the findings ApplySuppressions reports about suppressions.
const (
	RuleUnusedSuppression = "unused-suppression"
	RuleBadSuppression    = "bad-suppression"
)

// suppressionSyntax is the form a suppression takes, quoted in messages.
const suppressionSyntax = "locklint: ignore RULE[,RULE...] -- REASON"

// Suppression is one source comment
//
//	/* locklint: ignore rule-a,rule-b -- why this is fine */
//	// locklint: ignore all -- why this is fine
//
// It applies to findings of its rules on Target: the comment's own line
// when code precedes (or follows) the comment on it, otherwise the line
// just after the comment.
type Suppression struct {
	File   string
	Line   int      // the line of the comment's "locklint:"
	Rules  []string // rule ids; "all" matches every rule
	Reason string   // the text after " -- "
	Target int      // the line it applies to
	Used   bool     // set by ApplySuppressions when it matched a finding
	// Problem says why the comment is malformed; such a suppression
	// suppresses nothing and ApplySuppressions reports it as
	// bad-suppression. Empty for a well-formed suppression.
	Problem string
}

var suppressMarker = []byte("locklint:")

// ScanSuppressions finds the suppression comments of one source file. A
// "locklint:" counts only right after a comment opener ("//", "/*", or the
// "*" of a block comment's continuation line), so prose that mentions
// locklint is left alone.
func ScanSuppressions(file string, src []byte) []Suppression {
	if bytes.Index(src, suppressMarker) < 0 {
		return nil
	}
	var sups []Suppression
	line, counted := 1, 0 // line is the line number of src[counted]
	for off := 0; ; {
		i := bytes.Index(src[off:], suppressMarker)
		if i < 0 {
			break
		}
		i += off
		off = i + len(suppressMarker)
		line += bytes.Count(src[counted:i], []byte{'\n'})
		counted = i
		s, ok := scanOne(file, src, i, line)
		if ok {
			sups = append(sups, s)
		}
	}
	return sups
}

// scanOne reads the suppression whose "locklint:" is at src[i], on line.
func scanOne(file string, src []byte, i, line int) (Suppression, bool) {
	bol := bytes.LastIndexByte(src[:i], '\n') + 1
	eol := len(src)
	if j := bytes.IndexByte(src[i:], '\n'); j >= 0 {
		eol = i + j
	}
	prefix := strings.TrimRight(string(src[bol:i]), " \t")

	// Where the comment opens, whether it is a block comment, and whether
	// code stands before it on its line.
	var block, codeBefore bool
	switch {
	case strings.HasSuffix(prefix, "//"):
		codeBefore = strings.TrimSpace(prefix[:len(prefix)-2]) != ""
	case strings.HasSuffix(prefix, "*"):
		block = true
		stars := strings.TrimRight(prefix, "*")
		switch {
		case strings.HasSuffix(stars, "/"): // "/*" or "/**"
			codeBefore = strings.TrimSpace(stars[:len(stars)-1]) != ""
		case strings.TrimSpace(stars) == "": // " * locklint: ..." inside a block comment
		default:
			return Suppression{}, false
		}
	default:
		return Suppression{}, false
	}

	text := string(src[i+len(suppressMarker) : eol])
	endLine, codeAfter := line, false
	if block {
		if j := strings.Index(text, "*/"); j >= 0 {
			codeAfter = strings.TrimSpace(text[j+2:]) != ""
			text = text[:j]
		} else if j := bytes.Index(src[eol:], []byte("*/")); j >= 0 {
			// the comment goes on past this line; the directive is the
			// rest of this line and the comment ends further down
			end := eol + j
			endLine += bytes.Count(src[eol:end], []byte{'\n'})
			rest := src[end+2:]
			if k := bytes.IndexByte(rest, '\n'); k >= 0 {
				rest = rest[:k]
			}
			codeAfter = len(bytes.TrimSpace(rest)) > 0
		}
	}
	text = strings.TrimSpace(strings.TrimSuffix(text, "\r"))

	s := Suppression{File: file, Line: line}
	switch {
	case codeBefore:
		s.Target = line
	case codeAfter:
		s.Target = endLine
	default:
		s.Target = endLine + 1
	}
	parseDirective(&s, text)
	return s, true
}

// parseDirective fills Rules, Reason and Problem from the text after
// "locklint:".
func parseDirective(s *Suppression, text string) {
	verb, rest := text, ""
	if j := strings.IndexAny(text, " \t"); j >= 0 {
		verb, rest = text[:j], text[j+1:]
	}
	if verb != "ignore" {
		if verb == "" {
			s.Problem = fmt.Sprintf("empty locklint comment; the syntax is %q", suppressionSyntax)
		} else {
			s.Problem = fmt.Sprintf("unknown locklint directive %q; the syntax is %q", verb, suppressionSyntax)
		}
		return
	}
	list, reason, hasSep := strings.Cut(rest, "--")
	list = strings.TrimSpace(list)
	s.Reason = strings.TrimSpace(reason)
	if list == "" {
		s.Problem = fmt.Sprintf("suppression names no rule; the syntax is %q", suppressionSyntax)
		return
	}
	for _, id := range strings.Split(list, ",") {
		id = strings.TrimSpace(id)
		if !validRuleID(id) {
			s.Rules = nil
			s.Problem = fmt.Sprintf("%q is not a rule id; the syntax is %q", id, suppressionSyntax)
			return
		}
		s.Rules = append(s.Rules, id)
	}
	if !hasSep || s.Reason == "" {
		s.Problem = fmt.Sprintf("suppression of %s has no reason: a reason is required after \" -- \", as in \"locklint: ignore %s -- why this is safe\"",
			strings.Join(s.Rules, ","), strings.Join(s.Rules, ","))
	}
}

// validRuleID: letters, digits, '-', '_' and '.'.
func validRuleID(id string) bool {
	if id == "" {
		return false
	}
	for _, c := range id {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}

// ApplySuppressions drops the findings a well-formed suppression covers
// (same File, Line equal to its Target, rule named or "all") and marks the
// suppressions that matched as Used. kept keeps the order of fs. problems
// has one unused-suppression warning per rule id of a suppression that
// matched nothing, and one bad-suppression error per malformed comment,
// at the comment, ordered by file and line.
func ApplySuppressions(fs []Finding, sups []Suppression) (kept []Finding, problems []Finding) {
	type key struct {
		file string
		line int
	}
	byTarget := make(map[key][]int)
	for i := range sups {
		if sups[i].Problem != "" {
			continue
		}
		k := key{sups[i].File, sups[i].Target}
		byTarget[k] = append(byTarget[k], i)
	}
	// used[i][rule] records which of suppression i's ids matched
	used := make([]map[string]bool, len(sups))
	kept = make([]Finding, 0, len(fs))
	for _, f := range fs {
		suppressed := false
		for _, i := range byTarget[key{f.File, f.Line}] {
			s := &sups[i]
			for _, r := range s.Rules {
				if r == "all" || r == f.Rule {
					if used[i] == nil {
						used[i] = make(map[string]bool)
					}
					used[i][r] = true
					s.Used = true
					suppressed = true
				}
			}
		}
		if !suppressed {
			kept = append(kept, f)
		}
	}

	for i := range sups {
		s := &sups[i]
		if s.Problem != "" {
			problems = append(problems, Finding{
				Rule: RuleBadSuppression, Severity: rules.Error, Message: s.Problem,
				File: s.File, Line: s.Line, Status: "unknown",
			})
			continue
		}
		for _, r := range s.Rules {
			if used[i][r] {
				continue
			}
			problems = append(problems, Finding{
				Rule: RuleUnusedSuppression, Severity: rules.Warning,
				Message: fmt.Sprintf("suppression of %s is not used; remove it", r),
				File:    s.File, Line: s.Line, Status: "unknown",
			})
		}
	}
	sort.SliceStable(problems, func(a, b int) bool {
		if problems[a].File != problems[b].File {
			return problems[a].File < problems[b].File
		}
		return problems[a].Line < problems[b].Line
	})
	return kept, problems
}
